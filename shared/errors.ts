// Domain errors say what went wrong in the domain's words; shared/http/errors.ts alone maps them to HTTP. Every
// error the API can answer is made by one of the factories below, and only here.

export const errorCodes = [
  "validation_failed",
  "malformed_json",
  "invalid_cursor",
  "cannot_follow_self",
  "unauthorized",
  "forbidden",
  "subscription_required",
  "profile_required",
  "not_found",
  "method_not_allowed",
  "handle_taken",
  "idempotency_key_reused",
  "cleanup_already_running",
  "payload_too_large",
  "too_many_requests",
  "unavailable",
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** What is wrong with one field of the request (`field`: the field, query parameter or header, e.g. `tags.2`). */
export interface FieldProblem {
  field: string;
  message: string;
}

/** An entitlement that would allow the request; `select` without `authorId` means any author's Select. */
export interface RequiredEntitlement {
  tier: "plus" | "ultimate" | "select";
  authorId?: string;
}

export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: {
      details?: FieldProblem[];
      requiredEntitlements?: RequiredEntitlement[];
      retryAfterSeconds?: number;
      allow?: string[];
    } = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new DomainError("not_found", `${what} was not found.`);
export const forbidden = (message = "You are not allowed to do this.") => new DomainError("forbidden", message);
export const profileRequired = () =>
  new DomainError("profile_required", "Create your profile with PUT /me before doing this.");
export const validationFailed = (details: FieldProblem[]) =>
  new DomainError("validation_failed", "The request is not valid.", { details });
export const cannotFollowSelf = () => new DomainError("cannot_follow_self", "You cannot follow yourself.");
export const invalidCursor = () => new DomainError("invalid_cursor", "The cursor is malformed or was tampered with.");
export const unavailable = (retryAfterSeconds = 1) =>
  new DomainError("unavailable", "The service is busy; nothing was left half-done. Please retry.", {
    retryAfterSeconds,
  });
export const subscriptionRequired = (requiredEntitlements: RequiredEntitlement[]) =>
  new DomainError("subscription_required", "A subscription that includes this post is required.", {
    requiredEntitlements,
  });
export const tooManyRequests = (retryAfterSeconds: number, message = "Too many requests; retry later.") =>
  new DomainError("too_many_requests", message, { retryAfterSeconds });
export const unauthorized = (message = "A valid bearer token is required.") => new DomainError("unauthorized", message);
export const handleTaken = () => new DomainError("handle_taken", "This handle is already taken.");
export const idempotencyKeyReused = () =>
  new DomainError("idempotency_key_reused", "This Idempotency-Key was used with a different request.");
export const cleanupAlreadyRunning = () =>
  new DomainError("cleanup_already_running", "A cleanup run is under way; start another once it has finished.");
export const payloadTooLarge = (limit: string) =>
  new DomainError("payload_too_large", `The request body is larger than ${limit}.`);
export const malformedJson = () => new DomainError("malformed_json", "The request body is not valid JSON.");
export const methodNotAllowed = (method: string, allow: string[]) =>
  new DomainError("method_not_allowed", `This path does not answer ${method}.`, { allow });
