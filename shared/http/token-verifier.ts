import { config } from "../config";
import { InvalidToken, verifyHs256, type Claims } from "./jwt-hs256";

export { InvalidToken, type Claims };

type Verify = (token: string) => Promise<Claims>;

async function cognitoVerifier(userPoolId: string, clientId: string): Promise<Verify> {
  const { CognitoJwtVerifier } = await import("aws-jwt-verify");
  // Access and ID tokens both carry `cognito:groups`; the HTTP API's authorizer accepts either kind too.
  const verifier = CognitoJwtVerifier.create({ userPoolId, clientId, tokenUse: null });
  return async (token) => {
    try {
      const claims: Claims = { ...(await verifier.verify(token)) };
      return claims;
    } catch {
      throw new InvalidToken("rejected by Cognito verifier");
    }
  };
}

let verify: Promise<Verify> | undefined;

/** Verifies a bearer token sent to a public route: with Cognito's keys in AWS, with the HS256 secret locally. */
export function verifyToken(token: string): Promise<Claims> {
  if (!verify) {
    const settings = config;
    verify =
      settings.TOKEN_VERIFIER === "cognito"
        ? cognitoVerifier(settings.COGNITO_USER_POOL_ID, settings.COGNITO_CLIENT_ID)
        : Promise.resolve(async (value: string) => verifyHs256(value, settings.LOCAL_JWT_SECRET));
  }
  return verify.then((run) => run(token));
}
