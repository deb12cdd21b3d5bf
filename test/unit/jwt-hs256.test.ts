import { describe, expect, it } from "vitest";
import { InvalidToken, signHs256, verifyHs256 } from "../../shared/http/jwt-hs256";

const secret = "s3cret";
const now = Date.parse("2026-06-01T00:00:00Z");
const seconds = now / 1000;

describe("verifyHs256", () => {
  it("returns the claims of a well-signed, unexpired token", () => {
    const token = signHs256({ sub: "alice", "cognito:groups": ["authors"], exp: seconds + 60 }, secret);
    expect(verifyHs256(token, secret, now)).toMatchObject({ sub: "alice", "cognito:groups": ["authors"] });
  });

  it.each([
    ["another secret", signHs256({ sub: "a" }, "other")],
    ["an expired token", signHs256({ sub: "a", exp: seconds - 1 }, secret)],
    ["a token not valid yet", signHs256({ sub: "a", nbf: seconds + 60 }, secret)],
    ["a token without subject", signHs256({ exp: seconds + 60 }, secret)],
    ["garbage", "a.b.c"],
    ["two segments", "a.b"],
  ])("refuses %s", (_, token) => {
    expect(() => verifyHs256(token, secret, now)).toThrow(InvalidToken);
  });

  it("refuses the `none` algorithm even with a valid-looking payload", () => {
    const header = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
    const payload = Buffer.from(JSON.stringify({ sub: "admin" })).toString("base64url");
    expect(() => verifyHs256(`${header}.${payload}.`, secret, now)).toThrow(InvalidToken);
  });
});
