import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { buildTemplate, resourcesOf } from "./build-app";

const template = buildTemplate();

describe("Cognito", () => {
  it("has the groups the contract maps to roles", () => {
    const groups = resourcesOf(template, "AWS::Cognito::UserPoolGroup").map(([, g]) => g.Properties.GroupName);
    expect(groups.sort()).toEqual(["admins", "authors"]);
  });

  it("has a strong password policy, optional TOTP, and is retained", () => {
    template.hasResource("AWS::Cognito::UserPool", {
      DeletionPolicy: "Retain",
      Properties: Match.objectLike({
        DeletionProtection: "ACTIVE",
        MfaConfiguration: "OPTIONAL",
        EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
        Policies: {
          PasswordPolicy: Match.objectLike({
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          }),
        },
      }),
    });
  });

  it("has one public app client: no secret, SRP and refresh only, no OAuth", () => {
    template.resourceCountIs("AWS::Cognito::UserPoolClient", 1);
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      GenerateSecret: false,
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      AllowedOAuthFlowsUserPoolClient: false,
      PreventUserExistenceErrors: "ENABLED",
    });
  });

  it("allows the operators' admin password flow only when asked", () => {
    const clients = resourcesOf(buildTemplate({ operatorPasswordAuth: true }), "AWS::Cognito::UserPoolClient");
    expect(clients).toHaveLength(1);
    expect([...clients[0]![1].Properties.ExplicitAuthFlows].sort()).toEqual(
      ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"].sort(),
    );
  });
});
