import { fromPendingDeletionItem, toPendingDeletionItem, type PendingDeletion } from "./entities/pending-deletion";
import { cleanupKeys } from "./keys";
import { deleteItem, getItem } from "./requests";
import { putOf, updateOf, type TransactItem } from "./transactions";

// Pending deletions (shared/db/entities/pending-deletion.ts): an account whose deletion began and is not finished,
// with what it removed so far, counted in the very transactions that remove it.

export type { PendingDeletion };

/** The Put of a pending deletion, for the mark's transaction. */
export function putPendingDeletion(pending: PendingDeletion): TransactItem {
  return putOf(toPendingDeletionItem(pending), { ConditionExpression: "attribute_not_exists(pk)" });
}

/** An account's pending deletion, if its deletion is under way (1 consistent GetItem). */
export function getPendingDeletion(userId: string): Promise<PendingDeletion | null> {
  return getItem(cleanupKeys.pending(userId), fromPendingDeletionItem);
}

/** Counts one removed relation or anonymized comment on the pending deletion, inside that write's transaction. */
export function countOnPending(userId: string, what: "edges" | "comments"): TransactItem {
  return updateOf(cleanupKeys.pending(userId), {
    UpdateExpression: "ADD #what :one",
    ConditionExpression: "attribute_exists(pk)",
    ExpressionAttributeNames: { "#what": what },
    ExpressionAttributeValues: { ":one": 1 },
  });
}

/** Deletes a pending deletion whose account is already gone (1 DeleteItem). */
export function dropPendingDeletion(userId: string): Promise<void> {
  return deleteItem(cleanupKeys.pending(userId));
}
