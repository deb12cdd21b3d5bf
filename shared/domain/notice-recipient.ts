import * as z from "zod/mini";

// Which address a notice before deletion goes to (contract: "Notice before deletion"). None: the notice is
// recorded as undeliverable and the schedule goes on all the same.
// - In AWS: the Cognito user's `email` attribute, looked up when the notice is sent, and only when Cognito marks
//   it verified (`email_verified` is "true"): an unverified address may be somebody else's.
// - Locally: the `email` claim of the account's last token (`npm run token -- --email ...`). The activity path
//   stores it on the account (`emailClaimToStore`), since a cleanup run has no token at hand.

const address = z.email();

/** An address fit to write into a mail header, or null. */
export function usableAddress(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const parsed = address.safeParse(value.trim());
  return parsed.success ? parsed.data : null;
}

/** The Cognito attributes of AdminGetUser's answer (`UserAttributes`). */
export type CognitoAttributes = readonly { Name?: string | undefined; Value?: string | undefined }[] | undefined;

/** AWS: the Cognito user's `email` when it is verified, else null. */
export function verifiedCognitoAddress(attributes: CognitoAttributes): string | null {
  const value = (name: string) => attributes?.find((attribute) => attribute.Name === name)?.Value;
  return value("email_verified") === "true" ? usableAddress(value("email")) : null;
}

/**
 * Locally: what the activity path stores of a signed-in request's token, the `email` claim when it is an
 * address (null otherwise, which then replaces an earlier one: the last token decides).
 */
export function emailClaimToStore(claims: Record<string, unknown>): string | null {
  return usableAddress(claims.email);
}
