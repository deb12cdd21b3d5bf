import { existsSync } from "node:fs";
import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { defaultThrottle } from "../../infra/stacks/api-stack";
import { cleanupSteps } from "../../infra/constructs/cleanup-workflow";
import { fallbackRoute, routes } from "../../infra/routes";
import { buildTemplate, resourcesOf } from "./build-app";

const template = buildTemplate();
const apiRoutes = resourcesOf(template, "AWS::ApiGatewayV2::Route");
const integrations = new Map(resourcesOf(template, "AWS::ApiGatewayV2::Integration"));
const authorizers = resourcesOf(template, "AWS::ApiGatewayV2::Authorizer");

function routeResource(routeKey: string) {
  const found = apiRoutes.filter(([, r]) => r.Properties.RouteKey === routeKey);
  expect(found, `one API route ${routeKey}`).toHaveLength(1);
  return found[0]![1];
}

/** The logical id of the Lambda function a route's integration invokes. */
function functionOf(routeKey: string): string {
  const target = routeResource(routeKey).Properties.Target["Fn::Join"][1][1].Ref as string;
  const uri = integrations.get(target)!.Properties.IntegrationUri;
  return uri["Fn::GetAtt"][0] as string;
}

describe("HTTP API routes", () => {
  it("has exactly one API route per route-table entry, plus $default", () => {
    expect(apiRoutes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(
      [...routes.map((r) => `${r.method} ${r.path}`), "$default"].sort(),
    );
  });

  it("serves every route, and $default, with a function of its own", () => {
    const routeKeys = [...routes.map((r) => `${r.method} ${r.path}`), "$default"];
    const functions = routeKeys.map(functionOf);
    expect(new Set(functions).size).toBe(routeKeys.length);
    // Plus the cleanup's step functions (test/infra/cleanup-workflow.test.ts).
    template.resourceCountIs("AWS::Lambda::Function", routeKeys.length + Object.keys(cleanupSteps).length);
  });

  it("points at handler files that exist", () => {
    for (const entry of [...routes.map((r) => r.entry), fallbackRoute.entry]) {
      expect(existsSync(entry), entry).toBe(true);
    }
  });

  it("has one JWT authorizer: the user pool as issuer, the app client as audience", () => {
    expect(authorizers).toHaveLength(1);
    expect(authorizers[0]![1].Properties).toMatchObject({
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: {
        Issuer: { "Fn::GetAtt": [expect.stringMatching(/^IdentityUserPool/), "ProviderURL"] },
        Audience: [{ Ref: expect.stringMatching(/^IdentityUserPoolAppClient/) }],
      },
    });
  });

  it.each(routes.filter((r) => r.auth === "required"))("guards $method $path with the JWT authorizer", (route) => {
    const { Properties } = routeResource(`${route.method} ${route.path}`);
    expect(Properties.AuthorizationType).toBe("JWT");
    expect(Properties.AuthorizerId).toEqual({ Ref: authorizers[0]![0] });
  });

  it.each(routes.filter((r) => r.auth === "optional"))("leaves public $method $path without an authorizer", (route) => {
    const { Properties } = routeResource(`${route.method} ${route.path}`);
    expect(Properties.AuthorizationType).toBe("NONE");
    expect(Properties.AuthorizerId).toBeUndefined();
  });

  it("sends $default to the fallback handler without an authorizer", () => {
    const { Properties } = routeResource("$default");
    expect(Properties.AuthorizationType).toBe("NONE");
    expect(functionOf("$default")).toMatch(/^RouteNotFound/);
  });

  it("uses payload format 2.0 for every integration", () => {
    for (const [, integration] of integrations) {
      expect(integration.Properties).toMatchObject({ IntegrationType: "AWS_PROXY", PayloadFormatVersion: "2.0" });
    }
  });

  it("deploys one auto-deployed $default stage with throttling and JSON access logs", () => {
    template.resourceCountIs("AWS::ApiGatewayV2::Stage", 1);
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: defaultThrottle.rateLimit,
        ThrottlingBurstLimit: defaultThrottle.burstLimit,
      },
      AccessLogSettings: {
        DestinationArn: { "Fn::GetAtt": [Match.stringLikeRegexp("^HttpAccessLogs"), "Arn"] },
        Format: Match.stringLikeRegexp("\\$context\\.requestId"),
      },
    });
  });

  it("outputs the API URL, user pool id, client id and table name", () => {
    for (const name of ["ApiUrl", "UserPoolId", "UserPoolClientId", "TableName", "CleanupStateMachineArn"])
      template.hasOutput(name, {});
  });
});
