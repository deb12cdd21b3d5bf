import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { DomainError } from "../errors";
import { logger } from "../logger";
import { statusOf } from "./status-codes";

function errorBody(code: string, message: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ error: { code, message, ...extra } });
}

/**
 * The one place where errors become HTTP. Domain errors carry a safe message (the stores turn DynamoDB's "busy"
 * answers into `unavailable` themselves); anything else is logged in full and answered with a fixed 500
 * message, so no stack trace or storage detail reaches a client.
 */
export function errorToResult(error: unknown): APIGatewayProxyStructuredResultV2 {
  if (!(error instanceof DomainError)) {
    logger.error("unhandled error", { error });
    return { statusCode: 500, body: errorBody("internal", "Something went wrong on our side.") };
  }
  const { details, requiredEntitlements, retryAfterSeconds, allow } = error.extra;
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
  if (allow) headers.allow = allow.join(", ");
  return {
    statusCode: statusOf(error.code),
    headers,
    body: errorBody(error.code, error.message, {
      ...(details ? { details } : {}),
      ...(requiredEntitlements ? { requiredEntitlements } : {}),
    }),
  };
}
