import { TransactWriteCommand, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { RawItem } from "./attributes";
import { untilDeadline } from "../deadline";
import { documentClient, tableName } from "./client";
import type { StoredItem } from "./items";
import type { ItemKey } from "./keys";
import type { Condition, Update } from "./requests";
import { cancellationReasons, defaultRetryBudget, withRetry } from "./retry";

// TransactWriteItems: the items of a transaction built from stored items and keys (so no store repeats the
// table's name), sent with the retries of shared/db/retry.ts; a failed condition becomes `TransactionCancelled`.

export type TransactItems = NonNullable<TransactWriteCommandInput["TransactItems"]>;
export type TransactItem = TransactItems[number];

/** A Put of a stored item, with an optional condition. */
export const putOf = (item: StoredItem, condition?: Condition): TransactItem => ({
  Put: { TableName: tableName, Item: item, ...condition },
});

/** An Update of one item. */
export const updateOf = (key: ItemKey, update: Omit<Update, "ReturnValues">): TransactItem => ({
  Update: { TableName: tableName, Key: { pk: key.pk, sk: key.sk }, ...update },
});

/** A Delete of one item, with an optional condition. */
export const deleteOf = (key: ItemKey, condition?: Condition): TransactItem => ({
  Delete: { TableName: tableName, Key: { pk: key.pk, sk: key.sk }, ...condition },
});

/** A check of one item that writes nothing. */
export const checkOf = (key: ItemKey, condition: Condition): TransactItem => ({
  ConditionCheck: { TableName: tableName, Key: { pk: key.pk, sk: key.sk }, ...condition },
});

/** A transaction that DynamoDB refused because a condition failed; `reasons[i]` belongs to item i. */
export class TransactionCancelled extends Error {
  override readonly name = "TransactionCancelled";
  constructor(
    readonly reasons: (string | undefined)[],
    /** The item as it was, for items that asked for ALL_OLD on a failed condition. */
    readonly oldItems: (RawItem | undefined)[],
  ) {
    super(`Transaction cancelled: ${reasons.join(", ")}`);
  }
  failedAt(index: number): boolean {
    return this.reasons[index] === "ConditionalCheckFailed";
  }
  /** Whether a condition failed among the items from `index` on (items a caller appended, e.g. an idempotency record). */
  failedFrom(index: number): boolean {
    return this.reasons.slice(index).includes("ConditionalCheckFailed");
  }
}

/** One TransactWriteItems call with retries of conflicts and throttling; a failed condition becomes `TransactionCancelled`. */
export async function transactWrite(items: TransactItems, budget = defaultRetryBudget): Promise<void> {
  await withRetry(() => transactWriteOnce(items), budget);
}

/**
 * One TransactWriteItems call, no retry: a failed condition becomes `TransactionCancelled`, a conflict stays the
 * SDK's error. For callers that rebuild the transaction on each try of their own `withRetry`.
 */
export async function transactWriteOnce(items: TransactItems): Promise<void> {
  try {
    await documentClient.send(new TransactWriteCommand({ TransactItems: items }), untilDeadline());
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons && reasons.some((reason) => reason.Code === "ConditionalCheckFailed")) {
      throw new TransactionCancelled(
        reasons.map((reason) => (reason.Code === "None" ? undefined : reason.Code)),
        // The cancellation reasons hand items back marshalled (the document client converts only results).
        reasons.map((reason) =>
          reason.Item ? unmarshall(reason.Item as Parameters<typeof unmarshall>[0]) : undefined,
        ),
      );
    }
    throw error;
  }
}

/** Runs a transaction; false when a condition failed (nothing was written). */
export async function unlessCancelled(items: TransactItems): Promise<boolean> {
  try {
    await transactWrite(items);
    return true;
  } catch (error) {
    if (error instanceof TransactionCancelled) return false;
    throw error;
  }
}
