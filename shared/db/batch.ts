import { BatchGetCommand, BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { untilDeadline } from "../deadline";
import type { Projection } from "./attributes";
import { documentClient, tableName } from "./client";
import type { StoredItem } from "./items";
import type { ItemKey } from "./keys";
import type { ItemReader } from "./requests";
import { defaultRetryBudget, untilDone, withRetry, type RetryBudget } from "./retry";

// BatchGetItem and BatchWriteItem, each chunked to DynamoDB's limits, asking again for what DynamoDB hands back
// unprocessed (with the one backoff of shared/db/retry.ts) until all is done; past the budget, 503 `unavailable`.

/** BatchWriteItem's limit: 25 requests per call. */
const BATCH_WRITE_LIMIT = 25;
/** BatchGetItem's limit: 100 keys per call. */
const BATCH_GET_LIMIT = 100;

const chunksOf = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Strongly consistent BatchGetItem by 100 keys, the calls in parallel, each item read by the entity's mapping.
 * Duplicate keys are read once; keys of absent items simply find nothing (the answer holds the items found, in
 * no particular order).
 */
export async function batchGet<T>(
  itemKeys: readonly ItemKey[],
  read: ItemReader<T>,
  projection?: Projection,
  budget: RetryBudget = defaultRetryBudget,
): Promise<T[]> {
  const unique = [...new Map(itemKeys.map((key) => [`${key.pk}\u0000${key.sk}`, { pk: key.pk, sk: key.sk }])).values()];
  const pages = await Promise.all(
    chunksOf(unique, BATCH_GET_LIMIT).map(async (chunk) => {
      const found: T[] = [];
      let pending: Record<string, unknown>[] = chunk;
      await untilDone(async () => {
        const result = await withRetry(
          () =>
            documentClient.send(
              new BatchGetCommand({
                RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true, ...projection } },
              }),
              untilDeadline(),
            ),
          budget,
        );
        for (const item of result.Responses?.[tableName] ?? []) {
          const mapped = read(item);
          if (mapped !== null) found.push(mapped);
        }
        pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
        return pending.length === 0 ? true : undefined;
      }, budget);
      return found;
    }),
  );
  return pages.flat();
}

/** One request of a BatchWriteItem: a put of a stored item or a delete of a key. */
export type BatchWrite = { put: StoredItem } | { delete: ItemKey };

/**
 * Writes items in BatchWriteItem calls of 25, resending the `UnprocessedItems` DynamoDB hands back until every
 * write is done. Puts and deletes are idempotent, so a caller that fails here can simply run it again.
 */
export async function batchWrite(
  writes: readonly BatchWrite[],
  budget: RetryBudget = defaultRetryBudget,
): Promise<void> {
  for (const chunk of chunksOf(writes, BATCH_WRITE_LIMIT)) {
    let pending: NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]["RequestItems"]>[string] = chunk.map(
      (write) =>
        "put" in write
          ? { PutRequest: { Item: write.put } }
          : { DeleteRequest: { Key: { pk: write.delete.pk, sk: write.delete.sk } } },
    );
    await untilDone(async () => {
      const result = await withRetry(
        () => documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }), untilDeadline()),
        budget,
      );
      pending = result.UnprocessedItems?.[tableName] ?? [];
      return pending.length === 0 ? true : undefined;
    }, budget);
  }
}

/** Deletes items by key, 25 per BatchWriteItem call (`batchWrite`). */
export function batchDelete(itemKeys: readonly ItemKey[], budget: RetryBudget = defaultRetryBudget): Promise<void> {
  return batchWrite(
    itemKeys.map((key) => ({ delete: key })),
    budget,
  );
}
