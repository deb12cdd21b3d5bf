import type { Tag } from "./route";

// The document's words for client developers: the API as a whole, its tags, its error codes.

export const apiTitle = "Trading community API";
/** The HTTP contract's version this API implements. */
export const contractVersion = "1.1";

export const apiOverview = `
The publishing platform of a trading community: authors publish market analyses in tiers (free, Plus, an
author's Select, Ultimate), readers follow authors whose follower counts are public and exact, subscribers
comment, and a cleanup deletes inactive accounts and recomputes every count it touched, openly.

## Signing in
Send \`Authorization: Bearer <token>\` with a token of the Cognito user pool (an ID or access token). The
token's \`sub\` is your user ID; its \`cognito:groups\` give your role: \`admins\` -> admin, else \`authors\` ->
author, else reader. Operations that require the bearer token answer 401 \`{"message": "Unauthorized"}\`
from API Gateway's authorizer, before the API runs, when it is missing or not valid. Public routes work
without a token; a token sent to one is verified all the same (401 \`unauthorized\` when it fails) and then
counts (your entitlements apply).
Create your profile with \`PUT /me\` before any other write: until then writes answer 403 \`profile_required\`.

## Errors
Every error the API answers is \`{"error": {"code", "message", "details"?, "requiredEntitlements"?}}\`.
Branch on \`code\`, never on \`message\`. Each operation lists the codes it can answer. When several errors
apply, the first of these answers: 401; 413 and 400 (the request itself is bad); 403 \`forbidden\` for the
role; 404; 403 \`profile_required\`; 403 \`forbidden\` for ownership or \`subscription_required\`.
API Gateway answers some requests itself with \`{"message": "..."}\`: 401 on protected routes, 413 over
10 MB, 429 when the API as a whole is throttled, 500 when a function fails. An unknown route answers 404
\`not_found\`; a known path with another method 405 \`method_not_allowed\` with an \`Allow\` header.

## Lists
Lists answer \`{"items": [...], "nextCursor": string | null}\`. Pass \`?limit=\` (1 to 100, default 20) and
the previous page's \`nextCursor\` as \`?cursor=\` for the next page; cursors are opaque and signed
(400 \`invalid_cursor\` when changed). Every list reflects every write whose request has answered.

## Retries
503 \`unavailable\` (a dependency was busy; nothing was written) and 429 \`too_many_requests\` carry a
\`retry-after\` header in seconds. \`POST /posts\` and \`POST /posts/{postId}/comments\` take an
\`Idempotency-Key\` header, so that a retry after a lost answer creates nothing twice.

## Conventions
JSON in and out. Times are ISO-8601 UTC with milliseconds. IDs are opaque strings. Lengths count Unicode code
points. Unknown fields in a body answer 400 \`validation_failed\`: a client can never set roles, counts,
authors, times or IDs. Bodies over 256 KiB answer 413 \`payload_too_large\`, bodies that are not JSON 400
\`malformed_json\`. Answers list today's fields exactly; new fields may be added in later versions.
`.trim();

export const tagDescriptions: Record<Tag, string> = {
  Accounts: "Profiles, the caller's own account, and entitlements (subscriptions) granted by admins.",
  Posts:
    "Publishing and reading posts; a post's body is readable according to its access and the caller's entitlements.",
  Following: "Following accounts; follower and following counts are exact at all times.",
  Comments: "Comments on posts, for subscribers; reading them follows the post's body rule.",
  Cleanup: "The cleanup of inactive accounts (admins), and the public history of follower counts it changed.",
  Service: "The API's health and this description.",
};

/** What each error code means to a client. */
export const errorCodeMeanings: Record<string, string> = {
  validation_failed: "a body field, query parameter or header is invalid; `details` names each one",
  malformed_json: "the body is not JSON",
  invalid_cursor: "the cursor is malformed or was changed",
  cannot_follow_self: "you cannot follow or unfollow yourself",
  unauthorized: "the bearer token is missing, malformed or failed verification",
  forbidden: "your role, or not owning the resource, does not allow this",
  subscription_required: "an entitlement is needed; `requiredEntitlements` lists what would allow it",
  profile_required: "create your profile with `PUT /me` first",
  not_found: "the resource does not exist",
  handle_taken: "another account holds this handle (regardless of case)",
  idempotency_key_reused: "this `Idempotency-Key` came with a different request",
  cleanup_already_running: "a cleanup run is under way; one at a time",
  payload_too_large: "the body is over 256 KiB",
  too_many_requests: "over the rate limit; retry after `retry-after` seconds",
  unavailable: "a dependency was busy; nothing was written; retry after `retry-after` seconds",
  internal: "a failure on the API's side; the message is generic",
};
