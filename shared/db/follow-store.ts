import type { FollowRelation } from "../domain/follow";
import type { RawItem } from "./attributes";
import { fromRelationItem, toFollowItems } from "./entities/follow";
import { deleteOutlookEntry } from "./outlook-entries";
import {
  existingFollowerCountTargets,
  followerCountChange,
  followingCountChange,
  pickFollowerCountTarget,
  type FollowerCountTarget,
} from "./follower-count-store";
import { keys } from "./keys";
import { withRetry } from "./retry";
import { unavailable } from "../errors";
import { deleteOf, putOf, TransactionCancelled, transactWriteOnce, type TransactItems } from "./transactions";

// Follows' writes: the relation and its two list rows (shared/db/entities/follow.ts), written in one transaction with
// both counts (follower-count-store.ts). docs/data-model.md, F1, F2 and F8. The reads are follow-read-store.ts: a
// module of its own, so that a function that only reads follows does not load what the writes import (the outlook
// store, the second-chance entity); esbuild gives a whole module to every chunk that imports it.

export type FollowWriteOutcome = "done" | "unchanged" | "followee_missing" | "follower_missing";

// Positions of the items in both transactions, for reading cancellation reasons.
const RELATION = 0;
const FOLLOWER_COUNT = 3;
const FOLLOWING_COUNT = 4;

/**
 * Runs a follow or unfollow transaction against the followee's follower count, retrying conflicts and throttling
 * within the budget. Each try picks a counter item: a shard at random among those the container last read the
 * followee with (so a try that met a concurrent follow on one shard most likely goes to another), else its profile
 * (follower-count-targets.ts). When the picked item is missing, the account is read once: absent means
 * `followee_missing`; present (a shard the memo named is gone) means the write goes on with the counter items it has. `onRelationRefused` decides what a failed condition on the relation item means (it hands the
 * item back as it was).
 */
export async function withFollowerCount<T extends string>(
  followeeId: string,
  items: (target: FollowerCountTarget) => TransactItems,
  onRelationRefused: (old: RawItem | undefined) => T | "unchanged" = () => "unchanged",
  /** What a failed condition of another item means: a defect (throw), or a state changed meanwhile. */
  otherRefusals: "throw" | "changed" = "throw",
): Promise<FollowWriteOutcome | T | "changed"> {
  let pick = () => pickFollowerCountTarget(followeeId);
  for (let round = 0; round < 2; round++) {
    const outcome = await withRetry(async () => {
      try {
        await transactWriteOnce(items(pick()));
        return "done" as const;
      } catch (error) {
        if (!(error instanceof TransactionCancelled)) throw error;
        if (error.failedAt(FOLLOWER_COUNT)) return "counter_missing" as const;
        if (error.failedAt(FOLLOWING_COUNT)) return "follower_missing" as const;
        if (error.failedAt(RELATION)) return onRelationRefused(error.oldItems[RELATION]);
        if (otherRefusals === "changed") return "changed" as const;
        throw error;
      }
    });
    if (outcome !== "counter_missing") return outcome;
    const existing = await existingFollowerCountTargets(followeeId);
    if (!existing) return "followee_missing";
    pick = () => existing[Math.floor(Math.random() * existing.length)]!;
  }
  return "followee_missing";
}

/**
 * Follows in one TransactWriteItems: the relation (only if absent) and both list rows, the followee's follower
 * count +1 and the follower's following count +1 (each only if its item exists). `unchanged`: already following;
 * `dormant`: the pair's relation is dormant (its holder's restore is under way: reviving it is the restore's work).
 */
export async function createFollow(relation: FollowRelation): Promise<FollowWriteOutcome | "dormant"> {
  const [follow, followerRow, followingRow] = toFollowItems(relation);
  const outcome = await withFollowerCount(
    relation.followeeId,
    (target) => [
      putOf(follow, {
        ConditionExpression: "attribute_not_exists(pk)",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
      putOf(followerRow),
      putOf(followingRow),
      followerCountChange(target, 1),
      followingCountChange(relation.followerId, 1),
    ],
    (old) => (fromRelationItem(old)?.dormantUnder ? "dormant" : "unchanged"),
  );
  return outcome === "changed" ? "unchanged" : outcome;
}

/**
 * The unfollow transaction (F2, F8), also each relation of a 1.1 deletion: takes a live relation out of every list and
 * count in ONE transaction: the relation item deleted (only while it is the one that was read, live), both list rows
 * deleted, both counts -1; and when its follower is under notice, its outlook entry and the followee's `underNotice`
 * with it. The transaction is first sent with `outlookAt` as the caller expects it (null: outside the outlook; the
 * follower's own outlook target when the caller holds its state, so that a relation of an account under notice is not
 * refused once on the way); when the relation comes back with another `outlookAt`, it is sent again with that entry.
 * `unchanged`: the relation was gone, replaced or dormant meanwhile; `followee_missing` / `follower_missing`: a count
 * item is gone. `alsoWrite` joins the same transaction (the cleanup counts the relation on its pending deletion). A
 * deactivation takes its relations into dormancy several at once instead (second-chance-store.ts, moveIntoDormancy).
 */
export async function deleteFollow(
  relation: FollowRelation,
  alsoWrite: TransactItems = [],
  expectedOutlookAt: string | null = null,
): Promise<FollowWriteOutcome> {
  const { followerId, followeeId, followId } = relation;
  let outlookAt = expectedOutlookAt;
  for (let round = 0; round < 3; round++) {
    const seen = outlookAt;
    const relationCondition = {
      ConditionExpression:
        "followId = :followId AND attribute_not_exists(dormantUnder) AND " +
        (seen === null ? "attribute_not_exists(outlookAt)" : "outlookAt = :outlookAt"),
      ExpressionAttributeValues: { ":followId": followId, ...(seen === null ? {} : { ":outlookAt": seen }) },
      ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
    };
    const outcome = await withFollowerCount(
      followeeId,
      (target) => [
        deleteOf(keys.follow(followerId, followeeId), relationCondition),
        deleteOf(keys.followerEntry(followeeId, followId)),
        deleteOf(keys.followingEntry(followerId, followId)),
        followerCountChange(target, -1, { underNotice: seen !== null }),
        followingCountChange(followerId, -1),
        ...(seen === null ? [] : [deleteOutlookEntry(followeeId, seen, followerId)]),
        ...alsoWrite,
      ],
      (old) => {
        const state = fromRelationItem(old);
        // Still this live relation, but in the outlook: send it again with its entry.
        if (state && state.relation.followId === followId && !state.dormantUnder && state.outlookAt !== seen) {
          outlookAt = state.outlookAt;
          return "again";
        }
        return "unchanged";
      },
    );
    if (outcome === "changed") return "unchanged";
    if (outcome !== "again") return outcome;
  }
  throw unavailable(1);
}
