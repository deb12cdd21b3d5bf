import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { HandlerFunction } from "../../infra/constructs/handler-function";
import type { NoticeSender } from "../../infra/constructs/notice-mail";
import { buildApp, buildTemplate, resourcesOf } from "./build-app";
import { decisionFor } from "../support/iam-simulation";
import { ACCOUNT, REGION, resolvedDocument, resolverFor } from "../support/template-values";

const sender: NoticeSender = { address: "notices@example.com" };

/**
 * The stack as deployed with a sender, plus a function that sends notices (none does yet in the stack itself);
 * built once for the tests that read it (a synth takes seconds).
 */
let sendingStack: ReturnType<typeof buildSendingStack> | undefined;
function buildSendingStack() {
  const { app, stack } = buildApp({ noticeSender: sender });
  const probe = new HandlerFunction(stack, "NoticeSenderProbe", {
    entry: "functions/scheduled/cleanup-process-batch.ts",
    environment: {},
  });
  stack.noticeMail!.grantSendNotices(probe.fn, "https://api.example.com/me/export");
  return { app, stack, template: Template.fromStack(stack), probe };
}
const stackWithASendingFunction = () => (sendingStack ??= buildSendingStack());

// Each test synthesizes the app: CPU-bound, seconds alone, far longer beside the other test files on 2 cores.
describe("the notices' SES identity", { timeout: 120_000 }, () => {
  it("is the sender's domain, with DKIM records to publish given as outputs", () => {
    const template = buildTemplate({ noticeSender: sender });
    template.resourceCountIs("AWS::SES::EmailIdentity", 1);
    template.hasResourceProperties("AWS::SES::EmailIdentity", { EmailIdentity: "example.com" });
    expect(
      Object.keys(template.findOutputs("*"))
        .filter((name) => name.startsWith("NoticeSender"))
        .sort(),
    ).toEqual(["NoticeSenderDkim1", "NoticeSenderDkim2", "NoticeSenderDkim3", "NoticeSenderIdentity"]);
  });

  it("is the address alone when asked (a trial without DNS)", () => {
    const template = buildTemplate({ noticeSender: { address: "Notices@Example.com", verify: "address" } });
    template.hasResourceProperties("AWS::SES::EmailIdentity", { EmailIdentity: "Notices@Example.com" });
    expect(Object.keys(template.findOutputs("NoticeSenderDkim*"))).toEqual([]);
  });

  it("is absent without a sender, and the synth says so", () => {
    const { stack } = buildApp();
    expect(resourcesOf(Template.fromStack(stack), "AWS::SES::EmailIdentity")).toEqual([]);
    Annotations.fromStack(stack).hasWarning("*", Match.stringLikeRegexp("No noticeSender"));
  });

  it("refuses a sender that is not an address", () => {
    expect(() => buildTemplate({ noticeSender: { address: "example.com" } })).toThrow(
      'noticeSender must be an e-mail address such as notices@example.com, not "example.com"',
    );
  });

  it("is granted to the cleanup's batch step alone, which records and delivers the notices", () => {
    const policies = resourcesOf(buildTemplate({ noticeSender: sender }), "AWS::IAM::Policy");
    const sending = policies.filter(([, policy]) =>
      /ses:|cognito-idp:/.test(JSON.stringify(policy.Properties.PolicyDocument)),
    );
    expect(sending.map(([id]) => id)).toEqual([expect.stringMatching(/^CleanupProcessBatchRole/)]);
  });
});

describe("the grant to send notices", { timeout: 120_000 }, () => {
  const identityArn = `arn:aws:ses:${REGION}:${ACCOUNT}:identity/example.com`;

  function probePolicy() {
    const { template, stack, probe } = stackWithASendingFunction();
    const roleId = stack.getLogicalId(probe.fn.role!.node.defaultChild as never);
    const [, policy] = resourcesOf(template, "AWS::IAM::Policy").find(([, p]) =>
      JSON.stringify(p.Properties.Roles).includes(roleId),
    )!;
    const resolve = resolverFor(template.toJSON().Resources);
    const [[poolId]] = resourcesOf(template, "AWS::Cognito::UserPool") as [[string, unknown]];
    return {
      policy: resolvedDocument(policy.Properties.PolicyDocument, resolve),
      userPoolArn: resolve({ "Fn::GetAtt": [poolId, "Arn"] }),
    };
  }

  it("lets the function send from the sender's address and look users up in the pool, nothing more (IAM simulated)", async () => {
    const { policy, userPoolArn } = probePolicy();
    const send = (from: string, resource = identityArn) =>
      decisionFor(policy, { action: "ses:SendEmail", resource, context: { "ses:FromAddress": from } });
    expect(await send("notices@example.com")).toBe("Allowed");
    expect(await send("ceo@example.com")).toBe("ImplicitlyDenied");
    expect(await send("notices@example.com", `arn:aws:ses:${REGION}:${ACCOUNT}:identity/other.example`)).toBe(
      "ImplicitlyDenied",
    );
    expect(await decisionFor(policy, { action: "cognito-idp:AdminGetUser", resource: userPoolArn })).toBe("Allowed");
    expect(await decisionFor(policy, { action: "cognito-idp:AdminUpdateUserAttributes", resource: userPoolArn })).toBe(
      "ImplicitlyDenied",
    );
    expect(await decisionFor(policy, { action: "cognito-idp:AdminGetUser", resource: `${userPoolArn}x` })).toBe(
      "ImplicitlyDenied",
    );
  });

  it("sets the settings the function's mail configuration requires", () => {
    const { template, probe, stack } = stackWithASendingFunction();
    const fnId = stack.getLogicalId(probe.fn.node.defaultChild as never);
    const variables = template.findResources("AWS::Lambda::Function")[fnId]!.Properties.Environment.Variables;
    expect(variables).toMatchObject({
      MAIL_TRANSPORT: "ses",
      NOTICE_SENDER_ADDRESS: "notices@example.com",
      NOTICE_EXPORT_URL: "https://api.example.com/me/export",
    });
  });

  it("keeps cdk-nag clean", () => {
    const { app } = stackWithASendingFunction();
    expect(() => app.synth()).not.toThrow();
  });
});
