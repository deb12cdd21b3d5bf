import type { ErrorCode } from "../errors";

// The HTTP status of each domain error code (contract: Conventions). Apart from shared/http/errors.ts, so that
// the OpenAPI document's generator can read it without loading the storage layer.

const statusByCode: Record<ErrorCode, number> = {
  validation_failed: 400,
  malformed_json: 400,
  invalid_cursor: 400,
  cannot_follow_self: 400,
  unauthorized: 401,
  forbidden: 403,
  subscription_required: 403,
  profile_required: 403,
  not_found: 404,
  method_not_allowed: 405,
  handle_taken: 409,
  idempotency_key_reused: 409,
  cleanup_already_running: 409,
  payload_too_large: 413,
  too_many_requests: 429,
  unavailable: 503,
};

export const statusOf = (code: ErrorCode): number => statusByCode[code];
