import { TransactWriteCommand, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { unavailable } from "../errors";
import { documentClient } from "./client";

export type TransactItems = NonNullable<TransactWriteCommandInput["TransactItems"]>;

/** A transaction that DynamoDB refused because a condition failed; `reasons[i]` belongs to item i. */
export class TransactionCancelled extends Error {
  override readonly name = "TransactionCancelled";
  constructor(
    readonly reasons: (string | undefined)[],
    /** The item as it was, for items that asked for ALL_OLD on a failed condition. */
    readonly oldItems: (Record<string, unknown> | undefined)[],
  ) {
    super(`Transaction cancelled: ${reasons.join(", ")}`);
  }
  failedAt(index: number): boolean {
    return this.reasons[index] === "ConditionalCheckFailed";
  }
}

interface CancellationReason {
  Code?: string;
  Item?: Record<string, never>;
}

const RETRYABLE_REASONS = new Set(["TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"]);
const RETRYABLE_ERRORS = new Set([
  "TransactionConflictException",
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
]);

export interface RetryBudget {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

// About two seconds in all: long enough to ride out a burst on one item, short next to API Gateway's 30 s.
export const defaultRetryBudget: RetryBudget = { attempts: 10, baseDelayMs: 10, maxDelayMs: 400 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cancellationReasons(error: unknown): CancellationReason[] | null {
  if (error instanceof Error && error.name === "TransactionCanceledException") {
    return ((error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? []) as CancellationReason[];
  }
  return null;
}

/** True for errors that say "busy, try again": conflicts with another transaction and throttling. */
export function isRetryableConflict(error: unknown): boolean {
  const reasons = cancellationReasons(error);
  if (reasons) {
    const codes = reasons.map((reason) => reason.Code ?? "None");
    return !codes.includes("ConditionalCheckFailed") && codes.some((code) => RETRYABLE_REASONS.has(code));
  }
  return error instanceof Error && RETRYABLE_ERRORS.has(error.name);
}

/**
 * Runs `operation`, retrying conflicts and throttling with full-jitter exponential backoff inside the budget.
 * When the budget runs out the caller gets 503 `unavailable`: every try was atomic, so nothing is half-written.
 */
export async function withConflictRetry<T>(operation: () => Promise<T>, budget = defaultRetryBudget): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isRetryableConflict(error)) throw error;
      if (attempt >= budget.attempts) throw unavailable(1);
      const cap = Math.min(budget.maxDelayMs, budget.baseDelayMs * 2 ** attempt);
      await sleep(Math.random() * cap);
    }
  }
}

/** One TransactWriteItems call with conflict retries; a failed condition becomes `TransactionCancelled`. */
export async function transactWrite(items: TransactItems, budget = defaultRetryBudget): Promise<void> {
  await withConflictRetry(() => transactWriteOnce(items), budget);
}

/**
 * One TransactWriteItems call, no retry: a failed condition becomes `TransactionCancelled`, a conflict stays the
 * SDK's error. For callers that rebuild the transaction on each try of their own `withConflictRetry`.
 */
export async function transactWriteOnce(items: TransactItems): Promise<void> {
  try {
    await documentClient.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons && reasons.some((reason) => reason.Code === "ConditionalCheckFailed")) {
      throw new TransactionCancelled(
        reasons.map((reason) => (reason.Code === "None" ? undefined : reason.Code)),
        reasons.map((reason) => (reason.Item ? (unmarshall(reason.Item) as Record<string, unknown>) : undefined)),
      );
    }
    throw error;
  }
}
