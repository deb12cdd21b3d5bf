import type { RelationState } from "./entities/follow";
import { fromOutlookEntryItem } from "./entities/second-chance";
import {
  existingFollowerCountTargets,
  pickFollowerCountTarget,
  type FollowerCountTarget,
} from "./follower-count-store";
import { cleanupKeys, collections, keys } from "./keys";
import { deleteOutlookEntry, putOutlookEntry } from "./outlook-entries";
import { queryPage } from "./query";
import { unlessConditionFails, updateItem } from "./requests";
import { withRetry } from "./retry";
import {
  checkOf,
  deleteOf,
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

/** Relations one sync transaction carries: 3 items each (the relation, and two of: the old entry, the new one, the
 * followee's `underNotice`), plus the follower's profile and the registry entry: within TransactWriteItems' 100. */
export const RELATIONS_PER_SYNC_TRANSACTION = 32;

/**
 * What a sync transaction left: `synced`; `target_changed` (the follower's target is no longer `target`, or it is
 * gone: read it again); or the relations whose item was not as read (an unfollow, a follow again, a deactivation
 * meanwhile: read them again), nothing of the transaction written.
 */
export type OutlookSyncOutcome = "synced" | "target_changed" | { changed: RelationState[] };

/** The follower-count items an account has, as read after a guessed one was missing (null: the account is gone). */
export type CountTargetsRead = Map<string, FollowerCountTarget[] | null>;

/** Whether a relation's entry is not where its follower's target (`target`; null: none) says. */
export const outlookDue = (state: RelationState, target: string | null): boolean =>
  state.dormantUnder === null && state.outlookAt !== target;

/** The items that bring one live relation's entry to `target`; the followee's count item is `counter`. */
function relationSyncItems(state: RelationState, target: string | null, counter: FollowerCountTarget): TransactItems {
  const { relation, outlookAt } = state;
  const entering = outlookAt === null ? 1 : target === null ? -1 : 0;
  return [
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
    ...(entering !== 0 ? [underNoticeChange(counter, entering)] : []),
  ];
}

/**
 * Brings the outlook entries of up to RELATIONS_PER_SYNC_TRANSACTION live relations of one follower (`userId`) to its
 * target (`target`; null: none) in ONE transaction: for each, the relation's `outlookAt` (condition: as read, live,
 * the same follow), its old entry deleted, its new one put, its followee's `underNotice` moved when it enters or
 * leaves the outlook; and the follower's profile: a check that its target is still `target`, or, with `finish` (the
 * sync's last transaction: every other relation is at the target), the end of the sync itself (`outlookDirty` goes
 * under that condition, and a withdrawal's registry entry with it), all or nothing. A guessed count item that is
 * missing is sent again with the items the followee has (read once, kept in `countTargets` for the sync's next
 * transactions); a followee gone meanwhile leaves its relation `changed` (its deletion takes the relation).
 */
export async function syncRelationsOutlook(
  userId: string,
  states: readonly RelationState[],
  target: string | null,
  finish: boolean,
  countTargets: CountTargetsRead,
): Promise<OutlookSyncOutcome> {
  const condition = outlookTargetIs(target);
  const profileCondition = {
    ConditionExpression: `attribute_exists(pk) AND ${condition.expression}`,
    ...(condition.values ? { ExpressionAttributeValues: condition.values } : {}),
  };
  const counterOf = (followeeId: string): FollowerCountTarget => {
    const existing = countTargets.get(followeeId);
    return existing ? existing[Math.floor(Math.random() * existing.length)]! : pickFollowerCountTarget(followeeId);
  };
  for (let round = 0; round < 3; round++) {
    const outcome = await withRetry(async () => {
      // Item 0 is the follower's profile; then each relation's items, whose positions are kept to read refusals.
      const items: TransactItems = [
        finish
          ? updateOf(keys.account(userId), { UpdateExpression: "REMOVE outlookDirty", ...profileCondition })
          : checkOf(keys.account(userId), profileCondition),
      ];
      const positions: { relation: number; counter: number | null }[] = [];
      for (const state of states) {
        const at = items.length;
        const own = relationSyncItems(state, target, counterOf(state.relation.followeeId));
        const counted = (state.outlookAt === null) !== (target === null);
        positions.push({ relation: at, counter: counted ? at + own.length - 1 : null });
        items.push(...own);
      }
      if (finish && target === null) items.push(deleteOf(cleanupKeys.outlookSync(userId)));
      try {
        await transactWriteOnce(items);
        return "synced" as const;
      } catch (error) {
        if (!(error instanceof TransactionCancelled)) throw error;
        if (error.failedAt(0)) return "target_changed" as const;
        // The relation item, or the old entry its `outlookAt` named: the relation is not as read.
        const changed = states.filter((state, i) => {
          const at = positions[i]!.relation;
          return error.failedAt(at) || (state.outlookAt !== null && error.failedAt(at + 1));
        });
        const counterMissing = states.filter((_, i) => {
          const counter = positions[i]!.counter;
          return counter !== null && error.failedAt(counter) && !changed.includes(states[i]!);
        });
        return { changed, counterMissing };
      }
    });
    if (outcome === "synced" || outcome === "target_changed") return outcome;
    const changed = [...outcome.changed];
    for (const state of outcome.counterMissing) {
      const followeeId = state.relation.followeeId;
      const existing = await existingFollowerCountTargets(followeeId);
      countTargets.set(followeeId, existing);
      // The followee is gone: its deletion takes the relation (read it again).
      if (!existing) changed.push(state);
    }
    if (changed.length > 0) return { changed };
    if (outcome.counterMissing.length === 0) return { changed: [...states] };
  }
  return { changed: [...states] };
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
