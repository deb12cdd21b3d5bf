import {
  toDryEdgeItem,
  toDryLostFollowerItem,
  toDryWouldDeleteItem,
  wouldDeleteComments,
} from "./entities/dry-run-scratch";
import type { RunTotals } from "./cleanup-run-store";
import { cleanupKeys, collections } from "./keys";
import { countItems, queryAll } from "./query";
import { itemExists, putItem } from "./requests";
import { putOf, type TransactItems } from "./transactions";

// A dry run changes nothing but its own partition (expiring): what it would delete, the relations it would
// remove and the followers others would lose, counted at its recount and at its end (docs/data-model.md,
// "Dry runs").

/** What deleting one account would do, recorded idempotently in the run's partition (expiring). */
export async function recordWouldDelete(runId: string, userId: string, comments: number, now: Date): Promise<void> {
  await putItem(toDryWouldDeleteItem(runId, userId, comments, now));
}

/** One relation that would be deleted; `lostFollowerOf` also records the follower its followee would lose. */
export function dryEdgeItems(
  runId: string,
  followId: string,
  lostFollowerOf: { userId: string; followerId: string } | null,
  now: Date,
): TransactItems {
  return [
    putOf(toDryEdgeItem(runId, followId, now)),
    ...(lostFollowerOf
      ? [putOf(toDryLostFollowerItem(runId, lostFollowerOf.userId, lostFollowerOf.followerId, now))]
      : []),
  ];
}

/** Whether the run would delete an account (1 GetItem). */
export function wouldDelete(runId: string, userId: string): Promise<boolean> {
  return itemExists(cleanupKeys.dryWouldDelete(runId, userId));
}

/** How many followers the run would take from an account. */
export const dryLostFollowers = (runId: string, userId: string): Promise<number> =>
  countItems(collections.dryLostFollowers(runId, userId));

/** The run's totals, from its scratch items (Queries of the run's partition). */
export async function dryRunTotals(runId: string): Promise<Partial<RunTotals>> {
  const comments = await queryAll(collections.dryWouldDelete(runId), wouldDeleteComments.read, {
    projection: wouldDeleteComments.projection,
  });
  return {
    accountsDeleted: comments.length,
    followEdgesDeleted: await countItems(collections.dryEdges(runId)),
    commentsAnonymized: comments.reduce((sum, count) => sum + count, 0),
  };
}
