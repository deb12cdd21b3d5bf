import { describe, expect, it } from "vitest";
import { parseConfig } from "../../shared/config";
import { awsFunctionEnv, localFunctionEnv } from "../support/function-environments";

// Configuration fails closed: what AWS needs is required, and what only a local host may use is refused in Lambda.

const inAws = awsFunctionEnv;
const local = localFunctionEnv;
const without = (env: Record<string, string>, name: string) =>
  Object.fromEntries(Object.entries(env).filter(([key]) => key !== name));

describe("configuration", () => {
  it("accepts what the stack gives a function in AWS, and what the local entry points set", () => {
    expect(parseConfig(inAws)).toMatchObject({
      TOKEN_VERIFIER: "cognito",
      COMMENT_RATE_PER_MINUTE: 30,
      LOG_LEVEL: "info",
    });
    expect(parseConfig(local)).toMatchObject({ TOKEN_VERIFIER: "local-hs256", LOCAL_JWT_SECRET: "local-dev-secret" });
  });

  it.each(["TOKEN_VERIFIER", "CURSOR_SECRET", "AWS_REGION", "TABLE_NAME", "COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID"])(
    "refuses to load without %s, naming it",
    (name) => {
      expect(() => parseConfig(without(inAws, name))).toThrow(new RegExp(`${name}: is required`));
    },
  );

  it("refuses a local host without LOCAL_JWT_SECRET: the secret has no default", () => {
    expect(() => parseConfig(without(local, "LOCAL_JWT_SECRET"))).toThrow(/LOCAL_JWT_SECRET: is required/);
  });

  it("reads DEACTIVATION_GRACE and HANDLE_QUARANTINE as durations, P0D included, and refuses months", () => {
    expect(parseConfig(inAws)).toMatchObject({
      DEACTIVATION_GRACE: { text: "P30D" },
      HANDLE_QUARANTINE: { text: "P90D" },
    });
    expect(parseConfig({ ...inAws, DEACTIVATION_GRACE: "P0D" }).DEACTIVATION_GRACE.ms).toBe(0);
    expect(() => parseConfig({ ...inAws, DEACTIVATION_GRACE: "P1M" })).toThrow(
      /DEACTIVATION_GRACE: .*must not use years or months/,
    );
    expect(() => parseConfig({ ...inAws, HANDLE_QUARANTINE: "90 days" })).toThrow(/HANDLE_QUARANTINE/);
  });

  it("refuses a short cursor secret", () => {
    expect(() => parseConfig({ ...inAws, CURSOR_SECRET: "short" })).toThrow(
      /CURSOR_SECRET: must be at least 32 characters/,
    );
  });

  it("refuses local-only settings where Lambda runs the code", () => {
    const lambda = { ...local, AWS_LAMBDA_FUNCTION_NAME: "GetMe" };
    expect(() => parseConfig(lambda)).toThrow(/TOKEN_VERIFIER: local-hs256 is for local hosts only/);
    expect(() => parseConfig(lambda)).toThrow(/DYNAMODB_ENDPOINT: is for local hosts only/);
    expect(() => parseConfig({ ...inAws, CLEANUP_RUNNER: "in-process" })).toThrow(
      /CLEANUP_RUNNER: in-process is for local hosts only/,
    );
  });
});
