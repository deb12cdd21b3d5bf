import { decodePostId, type PostRef } from "../domain/posts";
import { keysOnly, readKey } from "./attributes";
import type { DeletionMark, StoredAccountState } from "./account-store";
import { isDeactivation } from "./entities/account";
import { toDeactivatedByRunItem } from "./entities/second-chance";
import { recordRunFigures } from "./cleanup-run-store";
import type { AccountRunFigures } from "./entities/run-tally";
import { indexEntryRef } from "./entities/comment";
import { fromPostSummaryItem, type StoredPostSummary } from "./entities/post";
import { cleanupKeys, collections, keys, type ItemKey } from "./keys";
import { putPendingDeletion } from "./pending-deletion-store";
import { countItems, queryPage } from "./query";
import { scheduleLengthIs } from "./notice-store";
import {
  deleteOf,
  putOf,
  transactWrite,
  TransactionCancelled,
  unlessCancelled,
  updateOf,
  type TransactItems,
} from "./transactions";

// The writes that begin and end an account's deletion, and the reads of what an account owns. The deletion
// itself (shared/use-cases/account-deletion.ts) runs between the two: relations, comments, posts, records.

/** What must still hold of the account for a cleanup run to mark it (absent: the owner asked, no conditions). */
export interface InactivityConditions {
  cutoff: string;
  /** The entitlements the run read and judged: any change since then keeps the account. */
  entitlements: unknown[];
  /** The notices of the schedule the run judged complete (0: none): a withdrawal since then keeps the account. */
  notices: number;
}

/**
 * Begins an account's deletion, in one transaction: the profile and each follower-count shard get the deletion
 * mark (from then on the account reads as absent, and no follow, comment, post, activity or entitlement can be
 * added to it), the account leaves the inactivity index, and a pending deletion is put so that any later run
 * finishes the job if this one dies. For a cleanup run the profile must still be an inactive reader with the
 * entitlements that were judged: an account active at or after the cutoff since, or that got a role or an
 * entitlement, is not marked; nor one that got follower-count shards since `state` was read. Answers false when it
 * was not marked (conditions failed, or already marked).
 */
export function markAccountDeletion(
  state: StoredAccountState,
  mark: DeletionMark,
  conditions: InactivityConditions | null,
): Promise<boolean> {
  const userId = state.account.userId;
  // The mark goes on the shards that were read: shards created since (follower-count-store.ts) would be left
  // unmarked, so the profile must still say it has the ones read.
  const shards = state.followerCountShards;
  const live = `attribute_exists(pk) AND attribute_not_exists(deletion) AND ${
    shards === 0 ? "attribute_not_exists(followerCountShards)" : "followerCountShards = :shardsRead"
  }`;
  const shardValues = shards === 0 ? {} : { ":shardsRead": shards };
  // A deactivation: the run that marks it counts it (it takes the account out of the counts from here on) and lists
  // it for an undo of that run.
  const deactivatedBy = isDeactivation(mark) && mark.runId !== null ? mark.runId : null;
  return unlessCancelled([
    updateOf(keys.account(userId), {
      UpdateExpression: "SET deletion = :mark REMOVE inactivityPk, inactivitySk, outlookAt, outlookDirty, restoring",
      ...(conditions
        ? {
            ConditionExpression: `${live} AND #role = :reader AND lastActiveAt < :cutoff AND entitlements = :entitlements AND ${scheduleLengthIs(conditions.notices)}`,
            ExpressionAttributeNames: { "#role": "role" },
            ExpressionAttributeValues: {
              ":mark": mark,
              ":reader": "reader",
              ":cutoff": conditions.cutoff,
              ":entitlements": conditions.entitlements,
              ...(conditions.notices > 0 ? { ":notices": conditions.notices } : {}),
              ...shardValues,
            },
          }
        : { ConditionExpression: live, ExpressionAttributeValues: { ":mark": mark, ...shardValues } }),
    }),
    ...state.shardCounts.map(({ shard }) =>
      updateOf(keys.followerCountShard(userId, shard), {
        UpdateExpression: "SET deletion = :mark",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":mark": mark },
      }),
    ),
    putPendingDeletion({
      userId,
      reason: mark.reason,
      runId: mark.runId,
      at: mark.at,
      edges: 0,
      comments: 0,
      ...(isDeactivation(mark) ? { work: "deactivate" as const } : {}),
    }),
    ...(deactivatedBy
      ? [
          // Counted by the run as it ends (its accountsDeactivated and accountsDeleted): no run record write here.
          putOf(toDeactivatedByRunItem(deactivatedBy, userId)),
        ]
      : []),
  ]);
}

/**
 * Ends an account's deletion, in one transaction: the profile with every follower-count shard, the handle claim
 * (only if still ours), the pending deletion (only with the figures that were read from it), and, for a run,
 * the account's figures added to the run's totals. Answers false when a condition failed (read again, retry).
 */
export function finishAccountDeletion(
  state: StoredAccountState,
  pendingFigures: { edges: number; comments: number },
  runId: string | null,
): Promise<boolean> {
  const { userId, handle } = state.account;
  const totals: AccountRunFigures = {
    accountsDeleted: 1,
    followEdgesDeleted: pendingFigures.edges,
    commentsAnonymized: pendingFigures.comments,
  };
  return unlessCancelled([
    deleteOf(keys.account(userId), { ConditionExpression: "attribute_exists(deletion)" }),
    ...state.shardCounts.map(({ shard }) => deleteOf(keys.followerCountShard(userId, shard))),
    deleteOf(keys.handle(handle), {
      ConditionExpression: "attribute_not_exists(pk) OR userId = :userId",
      ExpressionAttributeValues: { ":userId": userId },
    }),
    deleteOf(cleanupKeys.pending(userId), {
      ConditionExpression: "attribute_not_exists(pk) OR (edges = :edges AND comments = :comments)",
      ExpressionAttributeValues: { ":edges": pendingFigures.edges, ":comments": pendingFigures.comments },
    }),
    ...(runId ? [recordRunFigures(runId, userId, totals)] : []),
  ]);
}

/** An entry of a writer's comment index: the comment it names. */
export interface CommentIndexEntry {
  commentId: string;
  post: PostRef;
  key: ItemKey;
}

/**
 * Up to `limit` of an account's comment index entries (1 consistent Query of `USER#<id>`, `COMMENT#…`), after the
 * comment `after` when given.
 */
export async function commentIndexPage(userId: string, limit: number, after?: string): Promise<CommentIndexEntry[]> {
  return (await commentIndexRound(userId, limit, after)).entries;
}

/**
 * `commentIndexPage`, and whether more entries may follow it (`more`: DynamoDB handed a LastEvaluatedKey back; false
 * when the page ended the index, so no Query has to find it empty).
 */
export async function commentIndexRound(
  userId: string,
  limit: number,
  after?: string,
): Promise<{ entries: CommentIndexEntry[]; more: boolean }> {
  const page = await queryPage(collections.commentsOfWriter(userId), indexEntryRef.read, {
    projection: indexEntryRef.projection,
    limit,
    ...(after === undefined ? {} : { startAfter: keys.commentByWriter(userId, after) }),
  });
  return { entries: page.items.map(commentIndexEntryOf), more: page.next !== null };
}

/** The comment an index entry names, from the entry as `indexEntryRef` reads it. */
export const commentIndexEntryOf = (entry: { key: ItemKey; commentId: string; postId: string }): CommentIndexEntry => ({
  commentId: entry.commentId,
  post: decodePostId(entry.postId) ?? { authorId: "", id: "" },
  key: entry.key,
});

/**
 * Keeps a comment but drops its writer: `authorId` becomes null, only while it still names the writer (a
 * comment deleted or anonymized meanwhile is left alone), in one transaction with `alsoWrite`. Answers whether
 * this call anonymized it.
 */
export async function anonymizeComment(
  entry: CommentIndexEntry,
  writerId: string,
  alsoWrite: TransactItems,
): Promise<boolean> {
  try {
    await transactWrite([
      updateOf(keys.comment(entry.post.id, entry.commentId), {
        // A deactivated writer's comment (its writer kept aside) is anonymized for good as well.
        UpdateExpression: "SET authorId = :null REMOVE dormantAuthorId",
        ConditionExpression: "authorId = :writer OR dormantAuthorId = :writer",
        ExpressionAttributeValues: { ":null": null, ":writer": writerId },
      }),
      ...alsoWrite,
    ]);
    return true;
  } catch (error) {
    if (error instanceof TransactionCancelled && error.failedAt(0)) return false;
    throw error;
  }
}

/** Up to `limit` of an account's posts, as stored (1 consistent Query of their summaries). */
export async function postsPage(userId: string, limit: number): Promise<StoredPostSummary[]> {
  return (await queryPage(collections.postsOf(userId), fromPostSummaryItem, { limit })).items;
}

/** Up to `limit` keys of an account's idempotency records (1 consistent Query). */
export async function idempotencyKeysPage(userId: string, limit: number): Promise<ItemKey[]> {
  return (await queryPage(collections.idempotencyRecordsOf(userId), readKey, { projection: keysOnly, limit })).items;
}

/** How many comment index entries an account has (Select COUNT). */
export function countCommentIndexEntries(userId: string): Promise<number> {
  return countItems(collections.commentsOfWriter(userId));
}
