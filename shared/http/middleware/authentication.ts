import type { Auth } from "../../api/route";
import { emailClaimToStore } from "../../domain/notice-recipient";
import type middy from "@middy/core";
import type { Identity } from "../../domain/account";
import { parseGroups, roleFromGroups } from "../../domain/roles";
import { unauthorized } from "../../errors";
import type { HttpApiEvent, HttpApiResult, StatefulEvent } from "../event";
import { isWellFormedText, MAX_USER_ID_LENGTH } from "../../schemas/common";
import { logger } from "../../logger";
import type { Claims } from "../jwt-hs256";

const MAX_SUBJECT_LENGTH = MAX_USER_ID_LENGTH;
/** U+0000..U+001F and U+007F..U+009F. */
const CONTROL_CHARACTER = /\p{Cc}/u;

/** A route's auth (shared/api/route.ts), or "none" for the fallback of unknown routes: no token looked at. */
export type AuthMode = Auth | "none";

/**
 * Verifies a bearer token a public route was sent (shared/http/public-handler.ts gives it): its claims, or
 * `"invalid"` for a token that is forged, expired or not a JWT.
 */
export type TokenVerifier = (token: string) => Promise<Claims | "invalid">;

function identityFromClaims(claims: Claims): Identity {
  if (typeof claims.sub !== "string" || claims.sub.length === 0) throw unauthorized("The token has no subject.");
  // Cognito's subjects are 36-character UUIDs; a far longer one could not be stored as a key, so no token has it.
  if (claims.sub.length > MAX_SUBJECT_LENGTH) throw unauthorized("The token's subject is too long.");
  // A lone surrogate has no UTF-8 form: such a subject could not be stored as a key either.
  if (!isWellFormedText(claims.sub)) throw unauthorized("The token's subject is not valid text.");
  // Nor does a control character belong in an ID: refused, a user ID takes at most 4 bytes per character in JSON.
  if (CONTROL_CHARACTER.test(claims.sub)) throw unauthorized("The token's subject is not valid text.");
  return {
    userId: claims.sub,
    role: roleFromGroups(parseGroups(claims["cognito:groups"])),
    email: emailClaimToStore(claims),
  };
}

function bearerToken(event: HttpApiEvent): string | null | undefined {
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/**
 * Who is calling. On protected routes API Gateway's JWT authorizer (or the local server playing it) has verified
 * the token and handed over its claims: such a route never verifies a token itself, so its bundle carries no
 * verifier. On public routes a token, when sent, is verified here with the route's `verify`.
 */
async function identityOf(event: HttpApiEvent, verify: TokenVerifier | undefined): Promise<Identity | null> {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  if (claims) return identityFromClaims(claims);
  if (!verify) return null;
  const token = bearerToken(event);
  if (token === undefined) return null;
  if (token === null) throw unauthorized("The authorization header must be `Bearer <token>`.");
  const verified = await verify(token);
  if (verified === "invalid") throw unauthorized("The token is invalid or expired.");
  return identityFromClaims(verified);
}

/**
 * "required": the authorizer's claims, 401 without them; "optional": the claims of a token verified with `verify`,
 * or anonymous without a token; "none": the token is not looked at.
 */
export function authentication(
  mode: AuthMode,
  verify?: TokenVerifier,
): middy.MiddlewareObj<StatefulEvent, HttpApiResult> {
  // A public route without a verifier would take any token's word for who calls: refuse to build one.
  if (mode === "optional" && !verify) throw new Error("A public route needs a token verifier (public-handler.ts)");
  return {
    name: "authentication",
    before: async (request) => {
      if (mode === "none") return;
      const identity = await identityOf(request.event, mode === "optional" ? verify : undefined);
      if (mode === "required" && !identity) throw unauthorized();
      request.event.state.identity = identity;
      // The caller's ID (the token's subject), never the token: every later line of the request names who called.
      if (identity) logger.appendKeys({ user_id: identity.userId });
    },
  };
}
