import { BatchGetCommand, BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { unavailable } from "../errors";
import { documentClient, tableName } from "./client";
import type { ItemKey } from "./keys";
import { defaultRetryBudget, withConflictRetry, type RetryBudget } from "./transactions";

/** BatchWriteItem's limit: 25 requests per call. */
export const BATCH_WRITE_LIMIT = 25;
/** BatchGetItem's limit: 100 keys per call. */
export const BATCH_GET_LIMIT = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const backoff = (budget: RetryBudget, attempt: number) =>
  sleep(Math.random() * Math.min(budget.maxDelayMs, budget.baseDelayMs * 2 ** attempt));

/** Which attributes a read returns (it bills the whole item all the same). */
export interface Projection {
  ProjectionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
}

/**
 * Strongly consistent BatchGetItem by 100 keys, the calls in parallel, asking again for the `UnprocessedKeys`
 * DynamoDB hands back (with full-jitter backoff); past the budget it gives up with 503 `unavailable`. Duplicate
 * keys are read once; keys of absent items simply find nothing.
 */
export async function batchGetItems(
  itemKeys: readonly ItemKey[],
  projection?: Projection,
  budget: RetryBudget = defaultRetryBudget,
): Promise<Record<string, unknown>[]> {
  const unique = [...new Map(itemKeys.map((key) => [`${key.pk}\u0000${key.sk}`, key])).values()];
  const chunks = Array.from({ length: Math.ceil(unique.length / BATCH_GET_LIMIT) }, (_, i) =>
    unique.slice(i * BATCH_GET_LIMIT, (i + 1) * BATCH_GET_LIMIT),
  );
  const pages = await Promise.all(
    chunks.map(async (chunk) => {
      const found: Record<string, unknown>[] = [];
      let pending: Record<string, unknown>[] = chunk.map((key) => ({ pk: key.pk, sk: key.sk }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > budget.attempts) throw unavailable(1);
        const result = await withConflictRetry(
          () =>
            documentClient.send(
              new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true, ...projection } } }),
            ),
          budget,
        );
        found.push(...(result.Responses?.[tableName] ?? []));
        pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
        if (pending.length > 0) await backoff(budget, attempt);
      }
      return found;
    }),
  );
  return pages.flat();
}

/** The item of `found` stored under `key`, if any. */
export function itemAt(found: readonly Record<string, unknown>[], key: ItemKey): Record<string, unknown> | undefined {
  return found.find((item) => item.pk === key.pk && item.sk === key.sk);
}

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
      if (pending.length > 0) await backoff(budget, attempt);
    }
  }
}
