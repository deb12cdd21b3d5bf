import { isGroupName } from "../../shared/domain/roles";
import { InvalidToken, verifyHs256 } from "../../shared/http/jwt-hs256";

/**
 * Plays API Gateway's JWT authorizer: verifies the bearer token, then hands its claims on as API Gateway
 * does, every value a string and an array as `[a b]`, so the handlers' parsing runs as it does in AWS.
 */
export function authorizeLocally(authorization: string | undefined, secret: string): Record<string, string> | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) return null;
  try {
    const claims = verifyHs256(match[1]!, secret);
    return Object.fromEntries(
      Object.entries(claims).map(([name, value]) => [
        name,
        asApiGatewayClaim(name === "cognito:groups" ? poolGroups(value) : value),
      ]),
    );
  } catch (error) {
    if (error instanceof InvalidToken) return null;
    throw error;
  }
}

/**
 * The groups a token of the user pool can carry. Cognito issues `cognito:groups` as an array of its groups' names,
 * which hold no space: API Gateway's `[a b]` form is unambiguous for them. A locally signed token can carry
 * anything; of an array, only the elements that are group names pass (`["x admins"]` must not read as `[x admins]`).
 */
function poolGroups(value: unknown): unknown {
  return Array.isArray(value) ? value.filter(isGroupName) : value;
}

function asApiGatewayClaim(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(String).join(" ")}]`;
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}
