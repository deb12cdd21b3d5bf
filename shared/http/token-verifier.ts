import { config } from "../config";
import type { Claims } from "./jwt-hs256";
import type { TokenVerifier } from "./middleware/authentication";

// The token check of public routes only (shared/http/public-handler.ts): a route behind API Gateway's JWT authorizer
// is handed the claims and bundles none of this.

type Verify = (token: string) => Promise<Claims | "invalid">;

async function cognitoVerifier(userPoolId: string, clientId: string): Promise<Verify> {
  // Loaded on the first token a public route is sent: its chunk is not part of the function's init.
  const { CognitoJwtVerifier } = await import("aws-jwt-verify");
  // Access and ID tokens both carry `cognito:groups`; the HTTP API's authorizer accepts either kind too.
  const verifier = CognitoJwtVerifier.create({ userPoolId, clientId, tokenUse: null });
  return async (token) => {
    try {
      const claims: Claims = { ...(await verifier.verify(token)) };
      return claims;
    } catch {
      return "invalid";
    }
  };
}

async function hs256Verifier(secret: string): Promise<Verify> {
  // Local only (the local host, the tests): loaded on the first token, not part of a deployed function's init.
  const { InvalidToken, verifyHs256 } = await import("./jwt-hs256");
  return async (token) => {
    try {
      return verifyHs256(token, secret);
    } catch (error) {
      if (error instanceof InvalidToken) return "invalid";
      throw error;
    }
  };
}

let verify: Promise<Verify> | undefined;

/** Verifies a bearer token sent to a public route: with Cognito's keys in AWS, with the HS256 secret locally. */
export const verifyToken: TokenVerifier = async (token) => {
  if (!verify) {
    const settings = config;
    verify =
      settings.TOKEN_VERIFIER === "cognito"
        ? cognitoVerifier(settings.COGNITO_USER_POOL_ID, settings.COGNITO_CLIENT_ID)
        : hs256Verifier(settings.LOCAL_JWT_SECRET);
  }
  return (await verify)(token);
};
