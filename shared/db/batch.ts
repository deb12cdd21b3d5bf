import { BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { unavailable } from "../errors";
import { documentClient, tableName } from "./client";
import type { ItemKey } from "./keys";
import { defaultRetryBudget, withConflictRetry, type RetryBudget } from "./transactions";

/** BatchWriteItem's limit: 25 requests per call. */
export const BATCH_WRITE_LIMIT = 25;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Deletes items in BatchWriteItem calls of 25, resending the `UnprocessedItems` DynamoDB hands back (with
 * full-jitter backoff) until every delete is done; past the budget it gives up with 503 `unavailable`.
 * Deletes are idempotent, so a caller that fails here can simply run it again.
 */
export async function batchDelete(itemKeys: readonly ItemKey[], budget: RetryBudget = defaultRetryBudget): Promise<void> {
  for (let start = 0; start < itemKeys.length; start += BATCH_WRITE_LIMIT) {
    let pending = itemKeys
      .slice(start, start + BATCH_WRITE_LIMIT)
      .map((key) => ({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > budget.attempts) throw unavailable(1);
      const result = await withConflictRetry(
        () => documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } })),
        budget,
      );
      pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
      if (pending.length > 0) await sleep(Math.random() * Math.min(budget.maxDelayMs, budget.baseDelayMs * 2 ** attempt));
    }
  }
}
