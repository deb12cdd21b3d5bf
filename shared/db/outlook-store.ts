import type { RelationState } from "./entities/follow";
import { toOutlookEntryItem, fromOutlookEntryItem } from "./entities/second-chance";
import {
  existingFollowerCountTargets,
  pickFollowerCountTarget,
  type FollowerCountTarget,
} from "./follower-count-store";
import { cleanupKeys, collections, keys } from "./keys";
import { queryPage } from "./query";
import { unlessConditionFails, updateItem } from "./requests";
import { withRetry } from "./retry";
import {
  checkOf,
  deleteOf,
  putOf,
  TransactionCancelled,
  transactWriteOnce,
  unlessCancelled,
  updateOf,
  type TransactItem,
  type TransactItems,
} from "./transactions";

// The follower outlook (docs/data-model.md, "Authors see it coming"): an entry per follow relation whose follower is
// under notice, in the followee's `OUTLOOK#` partition sorted by the follower's earliest possible deactivation, and
// the count of them (`underNotice`) on the followee's follower-count shards. The relation item's `outlookAt` says
// where its entry is; every write that changes one changes the other two in the same transaction.

/** The earliest possible deactivation among an account's followers under notice (1 Query, Limit 1), or null. */
export async function earliestOutlookEntry(followeeId: string): Promise<string | null> {
  const page = await queryPage(collections.outlookOf(followeeId), fromOutlookEntryItem, { limit: 1 });
  return page.items[0]?.at ?? null;
}

/** The Put of a relation's outlook entry. */
export const putOutlookEntry = (followeeId: string, at: string, followerId: string): TransactItem =>
  putOf(toOutlookEntryItem({ followeeId, at, followerId }));

/** The Delete of a relation's outlook entry (it must exist: the relation's `outlookAt` named it). */
export const deleteOutlookEntry = (followeeId: string, at: string, followerId: string): TransactItem =>
  deleteOf(keys.outlookEntry(followeeId, at, followerId), { ConditionExpression: "attribute_exists(pk)" });

/** The change of one followee's outlook count, on one of its count items. */
function underNoticeChange(target: FollowerCountTarget, delta: 1 | -1): TransactItem {
  const key =
    target.kind === "shard" ? keys.followerCountShard(target.userId, target.shard) : keys.account(target.userId);
  return updateOf(key, {
    UpdateExpression: "ADD underNotice :delta",
    ConditionExpression: "attribute_exists(pk)",
    ExpressionAttributeValues: { ":delta": delta },
  });
}

/** The condition that an account's outlook target is still `target` (null: it is not under notice). */
export function outlookTargetIs(target: string | null) {
  return target === null
    ? { expression: "attribute_not_exists(outlookAt)" }
    : { expression: "outlookAt = :outlookTarget", values: { ":outlookTarget": target } };
}

export type OutlookSyncOutcome = "synced" | "changed";

/**
 * Brings one live relation's outlook entry to its follower's target (`target`; null: none), in one transaction: the
 * relation's `outlookAt` (condition: as read, live, the same follow), the old entry deleted, the new one put, the
 * followee's `underNotice` moved when the relation enters or leaves the outlook, and a check that the follower's
 * target is still `target`. `changed`: the relation or the follower changed meanwhile (read again).
 */
export async function syncRelationOutlook(state: RelationState, target: string | null): Promise<OutlookSyncOutcome> {
  const { relation, outlookAt } = state;
  if (state.dormantUnder !== null || outlookAt === target) return "synced";
  const entering = outlookAt === null ? 1 : target === null ? -1 : 0;
  const followerTarget = outlookTargetIs(target);
  const items = (counter: FollowerCountTarget | null): TransactItems => [
    updateOf(keys.follow(relation.followerId, relation.followeeId), {
      UpdateExpression: target === null ? "REMOVE outlookAt" : "SET outlookAt = :target",
      ConditionExpression:
        "followId = :followId AND attribute_not_exists(dormantUnder) AND " +
        (outlookAt === null ? "attribute_not_exists(outlookAt)" : "outlookAt = :old"),
      ExpressionAttributeValues: {
        ":followId": relation.followId,
        ...(target === null ? {} : { ":target": target }),
        ...(outlookAt === null ? {} : { ":old": outlookAt }),
      },
    }),
    ...(outlookAt === null ? [] : [deleteOutlookEntry(relation.followeeId, outlookAt, relation.followerId)]),
    ...(target === null ? [] : [putOutlookEntry(relation.followeeId, target, relation.followerId)]),
    ...(counter && entering !== 0 ? [underNoticeChange(counter, entering)] : []),
    checkOf(keys.account(relation.followerId), {
      ConditionExpression: `attribute_exists(pk) AND ${followerTarget.expression}`,
      ...(followerTarget.values ? { ExpressionAttributeValues: followerTarget.values } : {}),
    }),
  ];
  let pick = () => pickFollowerCountTarget(relation.followeeId);
  for (let round = 0; round < 2; round++) {
    const outcome = await withRetry(async () => {
      try {
        await transactWriteOnce(items(pick()));
        return "synced" as const;
      } catch (error) {
        if (!(error instanceof TransactionCancelled)) throw error;
        // The count item is the one after the entries: a missing shard is tried again with the ones the account has.
        const counterAt = 1 + (outlookAt === null ? 0 : 1) + (target === null ? 0 : 1);
        if (entering !== 0 && error.failedAt(counterAt) && !error.failedAt(0)) return "counter_missing" as const;
        return "changed" as const;
      }
    });
    if (outcome !== "counter_missing") return outcome;
    const existing = await existingFollowerCountTargets(relation.followeeId);
    // The followee is gone: its relations go with it, nothing to count.
    if (!existing) return "changed";
    pick = () => existing[Math.floor(Math.random() * existing.length)]!;
  }
  return "changed";
}

/**
 * Ends a sync: the account's `outlookDirty` goes, only while its target is still `target`. A sync out of the outlooks
 * (target none: a withdrawal, whose write registered it) takes its registry entry in the same transaction; a sync
 * into them (a notice's: the account is in the inactivity index, which finds it again) has none, and ends with one
 * UpdateItem of the profile.
 */
export function finishOutlookSync(userId: string, target: string | null): Promise<boolean> {
  const condition = outlookTargetIs(target);
  const clear = {
    UpdateExpression: "REMOVE outlookDirty",
    ConditionExpression: `attribute_exists(pk) AND ${condition.expression}`,
    ...(condition.values ? { ExpressionAttributeValues: condition.values } : {}),
  };
  if (target !== null) return unlessConditionFails(updateItem(keys.account(userId), clear));
  return unlessCancelled([updateOf(keys.account(userId), clear), deleteOf(cleanupKeys.outlookSync(userId))]);
}

/**
 * Drops the sync of an account that has no relations to sync any more (gone, or deactivated: its relations left the
 * outlook as they moved): the registry entry alone.
 */
export function dropOutlookSync(userId: string): Promise<boolean> {
  return unlessCancelled([deleteOf(cleanupKeys.outlookSync(userId))]);
}
