import { createHmac, timingSafeEqual } from "node:crypto";

// HS256 tokens of the local server and the tests; in AWS, Cognito signs with RS256 and aws-jwt-verify checks.

export type Claims = Record<string, unknown>;

export class InvalidToken extends Error {}

function decodeSegment(segment: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InvalidToken("not an object");
  return value as Record<string, unknown>;
}

/** Verifies an HS256 JWT as the local server's authorizer does: signature, then `exp` and `nbf` when present. */
export function verifyHs256(token: string, secret: string, now = Date.now()): Claims {
  const parts = token.split(".");
  if (parts.length !== 3) throw new InvalidToken("not a JWT");
  const [header, payload, signature] = parts as [string, string, string];
  let claims: Claims;
  try {
    if (decodeSegment(header).alg !== "HS256") throw new InvalidToken("unexpected algorithm");
    claims = decodeSegment(payload);
  } catch {
    throw new InvalidToken("unreadable token");
  }
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidToken("bad signature");
  const seconds = now / 1000;
  if (claims.exp !== undefined && (typeof claims.exp !== "number" || claims.exp <= seconds)) {
    throw new InvalidToken("expired");
  }
  if (claims.nbf !== undefined && (typeof claims.nbf !== "number" || claims.nbf > seconds)) {
    throw new InvalidToken("not yet valid");
  }
  if (typeof claims.sub !== "string" || claims.sub.length === 0) throw new InvalidToken("no subject");
  return claims;
}

export function signHs256(claims: Claims, secret: string): string {
  const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}
