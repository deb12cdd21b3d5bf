import { describe, expect, it } from "vitest";
import { buildTemplate, resourcesOf } from "./build-app";

const template = buildTemplate();
const functions = resourcesOf(template, "AWS::Lambda::Function");
// The cleanup's step functions (construct id `Cleanup…`) run longer: see test/infra/cleanup-workflow.test.ts.
const routeFunctions = functions.filter(([id]) => !id.startsWith("Cleanup"));
const stepFunctions = functions.filter(([id]) => id.startsWith("Cleanup"));
const logGroups = new Map(resourcesOf(template, "AWS::Logs::LogGroup"));

describe("Lambda functions", () => {
  it.each(routeFunctions)("%s runs Node.js 24 on arm64 with 512 MB and a 10 s timeout", (_id, fn) => {
    expect(fn.Properties).toMatchObject({
      Runtime: "nodejs24.x",
      Architectures: ["arm64"],
      MemorySize: 512,
      Timeout: 10,
      Handler: "index.handler",
    });
  });

  it.each(stepFunctions)("%s (a cleanup step) runs Node.js 24 on arm64 with 512 MB and a 5 min timeout", (_id, fn) => {
    expect(fn.Properties).toMatchObject({
      Runtime: "nodejs24.x",
      Architectures: ["arm64"],
      MemorySize: 512,
      Timeout: 300,
    });
  });

  it.each(functions)("%s gets the configuration shared/config.ts requires", (id, fn) => {
    const variables = fn.Properties.Environment.Variables;
    // Only the route that starts cleanup runs hands them to the state machine.
    const cleanupRunner = id.startsWith("PostAdminCleanupRuns") ? ["CLEANUP_RUNNER", "CLEANUP_STATE_MACHINE_ARN"] : [];
    expect(Object.keys(variables).sort()).toEqual(
      [
        ...cleanupRunner,
        "COGNITO_CLIENT_ID",
        "COGNITO_USER_POOL_ID",
        "CURSOR_SECRET",
        "LOG_LEVEL",
        "NODE_OPTIONS",
        "TABLE_NAME",
        "TOKEN_VERIFIER",
      ].sort(),
    );
    expect(variables).toMatchObject({
      TOKEN_VERIFIER: "cognito",
      LOG_LEVEL: "info",
      NODE_OPTIONS: "--enable-source-maps",
    });
    expect(variables.TABLE_NAME).toEqual({ Ref: expect.stringMatching(/^DataTable/) });
    // A dynamic reference resolved by CloudFormation at deploy time, never a value in the template.
    expect(JSON.stringify(variables.CURSOR_SECRET)).toContain("{{resolve:secretsmanager:");
  });

  it.each(functions)("%s logs to its own log group, kept for a month", (_id, fn) => {
    const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
    expect(logGroups.get(logGroupId)?.Properties.RetentionInDays).toBe(30);
  });

  it("sets a retention on every log group, access logs included", () => {
    // Every function's, the API's access logs, and the cleanup state machine's.
    expect(logGroups.size).toBe(functions.length + 2);
    for (const [id, group] of logGroups) expect(group.Properties.RetentionInDays, id).toBe(30);
  });

  it("gives every function a role of its own", () => {
    const roles = functions.map(([, fn]) => fn.Properties.Role["Fn::GetAtt"][0]);
    expect(new Set(roles).size).toBe(functions.length);
  });
});
