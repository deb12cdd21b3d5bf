import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { isRetryableConflict } from "../db/transactions";
import { DomainError, unavailable, type ErrorCode } from "../errors";
import { describeError, logger } from "../logger";

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

function errorBody(code: string, message: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ error: { code, message, ...extra } });
}

/**
 * The one place where errors become HTTP. Domain errors carry a safe message; anything else is logged
 * in full and answered with a fixed 500 message, so no stack trace or storage detail reaches a client.
 */
export function errorToResult(error: unknown): APIGatewayProxyStructuredResultV2 {
  const domainError = error instanceof DomainError ? error : isRetryableConflict(error) ? unavailable(1) : null;
  if (!domainError) {
    logger.error("unhandled error", describeError(error));
    return { statusCode: 500, body: errorBody("internal", "Something went wrong on our side.") };
  }
  const { details, requiredEntitlements, retryAfterSeconds, allow } = domainError.extra;
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  if (allow) headers.allow = allow.join(", ");
  return {
    statusCode: statusOf(domainError.code),
    headers,
    body: errorBody(domainError.code, domainError.message, {
      ...(details ? { details } : {}),
      ...(requiredEntitlements ? { requiredEntitlements } : {}),
    }),
  };
}

export const unauthorized = (message = "A valid bearer token is required.") =>
  new DomainError("unauthorized", message);
