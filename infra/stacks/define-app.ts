import { type App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { ApiStack, type ApiStackProps } from "./api-stack";

const stackName = "TradingCommunityApi";

/**
 * Puts the stack into an app and runs cdk-nag's AwsSolutions pack over it at synth. Shared by infra/app.ts
 * and the infra tests, so that tests check the very app `cdk synth` builds.
 */
export function defineApp(app: App, props: ApiStackProps = {}): ApiStack {
  const stack = new ApiStack(app, stackName, {
    description: "Trading community API: HTTP API, Lambda handlers, DynamoDB single table, Cognito user pool.",
    ...props,
  });
  // cdk-nag 3 is a policy-validation plugin: a finding nobody acknowledged (with a reason) fails the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
