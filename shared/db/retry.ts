import { cutOffByDeadline, retryFitsDeadline } from "../deadline";
import { unavailable } from "../errors";
import { recordBusinessMetric } from "../metrics";

// DynamoDB's "busy, try again" answers, and the one way the stores ride them out: full-jitter exponential backoff
// inside a retry budget, then the domain's `unavailable` (503). Every request the stores send goes through
// `withRetry` (shared/db/requests.ts, query.ts, batch.ts, transactions.ts), so no SDK error of this kind ever
// leaves shared/db. Within a Lambda invocation the budget also ends at the invocation's deadline (shared/deadline.ts):
// no retry starts whose wait and try would not end before it, and a request the deadline cut off is `unavailable`.

export interface RetryBudget {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

// About two seconds of waits in all (the SDK's own retries inside each try come on top: up to 4 sends, waiting up to
// 1, 2 and 4 s between them when throttled): long enough to ride out a burst on one item; within an invocation the
// deadline ends it earlier when the function's time runs short.
export const defaultRetryBudget: RetryBudget = { attempts: 10, baseDelayMs: 10, maxDelayMs: 400 };

/** Reasons of a cancelled transaction that say "busy": another transaction held an item, or throttling. */
const RETRYABLE_REASONS = new Set(["TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"]);

/**
 * Errors that say "busy" (the SDK has retried throttling and server errors already when they reach us): a
 * conflict with a transaction, throttling, the account's request limit, an internal error of DynamoDB.
 */
const RETRYABLE_ERRORS = new Set([
  "TransactionConflictException",
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "InternalServerError",
]);

interface CancellationReason {
  Code?: string;
  Item?: Record<string, unknown>;
}

/** The reasons of a cancelled transaction, one per item; null when `error` is not a cancelled transaction. */
export function cancellationReasons(error: unknown): CancellationReason[] | null {
  if (!(error instanceof Error) || error.name !== "TransactionCanceledException") return null;
  const reasons: unknown = Reflect.get(error, "CancellationReasons");
  return Array.isArray(reasons)
    ? reasons.filter((reason): reason is CancellationReason => typeof reason === "object" && reason !== null)
    : [];
}

/** True for errors that say "busy, try again": conflicts with another transaction, throttling, DynamoDB's own errors. */
function isRetryable(error: unknown): boolean {
  const reasons = cancellationReasons(error);
  if (reasons) {
    const codes = reasons.map((reason) => reason.Code ?? "None");
    return !codes.includes("ConditionalCheckFailed") && codes.some((code) => RETRYABLE_REASONS.has(code));
  }
  return error instanceof Error && RETRYABLE_ERRORS.has(error.name);
}

/** True for a conflict with another transaction (a cancelled transaction's reason, or a plain write's error). */
export function isConflict(error: unknown): boolean {
  const reasons = cancellationReasons(error);
  if (reasons) return reasons.some((reason) => reason.Code === "TransactionConflict");
  return error instanceof Error && error.name === "TransactionConflictException";
}

/** How long to wait before try `attempt + 1`: a random time up to `base × 2^attempt`, capped (full jitter). */
export function backoffDelay(budget: RetryBudget, attempt: number, random = Math.random): number {
  return random() * Math.min(budget.maxDelayMs, budget.baseDelayMs * 2 ** attempt);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `operation`, retrying "busy" errors with the backoff inside the budget and before the invocation's deadline.
 * When either runs out the caller gets 503 `unavailable`: every try was atomic, so nothing is half-written.
 */
export async function withRetry<T>(operation: () => Promise<T>, budget = defaultRetryBudget): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (cutOffByDeadline(error)) throw unavailable(1);
      if (!isRetryable(error)) throw error;
      const delay = backoffDelay(budget, attempt);
      if (attempt >= budget.attempts || !retryFitsDeadline(delay)) throw unavailable(1);
      // The one place a conflict is tried again: the business metric ConflictsRetried (docs/deploy.md).
      if (isConflict(error)) recordBusinessMetric("ConflictsRetried");
      await sleep(delay);
    }
  }
}

/**
 * Runs `attempt` until it reports it is done (`undefined` means: not yet, e.g. unprocessed items are left), with
 * the backoff between tries; past the budget or the invocation's deadline, 503 `unavailable`. For loops that make
 * progress on each try.
 */
export async function untilDone<T>(
  attempt: (round: number) => Promise<T | undefined>,
  budget = defaultRetryBudget,
): Promise<T> {
  for (let round = 1; round <= budget.attempts; round++) {
    const result = await attempt(round);
    if (result !== undefined) return result;
    if (round >= budget.attempts) break;
    const delay = backoffDelay(budget, round);
    if (!retryFitsDeadline(delay)) break;
    await sleep(delay);
  }
  throw unavailable(1);
}
