import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { cutOffByDeadline } from "../deadline";
import { DomainError, unavailable, type FieldProblem } from "../errors";
import { logger } from "../logger";
import { errorAnswerLimits } from "../schemas/errors";
import { statusOf } from "./status-codes";

/** `text` cut to at most `max` code points, ending in `…` when it was cut. */
export function cutText(text: string, max: number): string {
  // Cheap for any length: no more than `max` code points take more than 2 * max UTF-16 units.
  const head = text.length <= 2 * max ? text : text.slice(0, 2 * max + 1);
  const codePoints = Array.from(head);
  if (codePoints.length <= max && head.length === text.length) return text;
  return `${codePoints.slice(0, max - 1).join("")}…`;
}

const byteLength = (json: string) => Buffer.byteLength(json, "utf8");

/**
 * The error answer's body, at most 8 KiB whatever the error holds (contract 1.2): its message and each detail cut
 * to their limits, at most 20 details, and no more than fit the 8 KiB; when some are left out the answer says so
 * in `detailsTruncated` and in its message. A 400 to a hostile body is as small as any other answer.
 */
export function errorBody(
  code: string,
  message: string,
  extra: { details?: FieldProblem[]; requiredEntitlements?: unknown[] } = {},
): string {
  const { details, ...rest } = extra;
  const error = { code, message: cutText(message, errorAnswerLimits.messageLength), ...rest };
  if (!details) return JSON.stringify({ error });
  const listed = details.slice(0, errorAnswerLimits.details).map((problem) => ({
    field: cutText(problem.field, errorAnswerLimits.fieldLength),
    message: cutText(problem.message, errorAnswerLimits.problemMessageLength),
  }));
  const whole = JSON.stringify({ error: { ...error, details: listed } });
  if (listed.length === details.length && byteLength(whole) <= errorAnswerLimits.bytes) return whole;
  // Some are left out: as many as fit beside the longest message that says how many are listed.
  const shortened = (count: number) => ({
    ...error,
    message: `${error.message} Only its first ${count} problems are listed.`,
    details: [] as typeof listed,
    detailsTruncated: true,
  });
  let budget = errorAnswerLimits.bytes - byteLength(JSON.stringify({ error: shortened(errorAnswerLimits.details) }));
  const fitting: typeof listed = [];
  for (const problem of listed) {
    const cost = byteLength(JSON.stringify(problem)) + (fitting.length > 0 ? 1 : 0);
    if (cost > budget) break;
    budget -= cost;
    fitting.push(problem);
  }
  return JSON.stringify({ error: { ...shortened(fitting.length), details: fitting } });
}

/**
 * The one place where errors become HTTP. Domain errors carry a safe message (the stores turn DynamoDB's "busy"
 * answers into `unavailable` themselves); anything else is logged in full and answered with a fixed 500
 * message, so no stack trace or storage detail reaches a client.
 */
export function errorToResult(thrown: unknown): APIGatewayProxyStructuredResultV2 {
  // An AWS call the invocation's deadline cut off (the stores say so themselves; any other client's call too).
  const error = cutOffByDeadline(thrown) ? unavailable(1) : thrown;
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
