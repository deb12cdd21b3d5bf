import {
  anonymizeComment,
  commentIndexPage,
  finishAccountDeletion,
  idempotencyKeysPage,
  markAccountDeletion,
  postsPage,
} from "../db/account-deletion-store";
import { getStoredAccountState, type DeletionMark } from "../db/account-store";
import { batchDelete } from "../db/batch";
import { TransactionCancelled } from "../db/transactions";
import { historyKeysOf } from "../db/follower-history-store";
import { CommentDeletionInterrupted } from "../db/comment-store";
import { countOnPending, getPendingDeletion } from "../db/pending-deletion-store";
import { recordTouched } from "../db/touched-account-store";
import { deleteFollow } from "../db/follow-store";
import { allFollowers, allFollowing } from "../db/follow-read-store";
import { dormantRelationsPage, dropDormantRelation, relationItemsOf } from "../db/dormant-relation-store";
import type { RunTicket } from "../domain/cleanup";
import type { FollowRelation } from "../domain/follow";
import { deadlineMinus } from "../deadline";
import { notFound, unavailable } from "../errors";
import { deletePostWithComments } from "./posts";

// Deleting an account (contract: Cleanup, and DELETE /me), the same code for a cleanup run and for the owner:
//   1. mark it (one transaction: the account is gone for the API from here on, and a pending deletion exists);
//   2. delete its follow relations in both directions, each with its counts (the unfollow transaction), anonymize
//      its comments, delete its posts with their comments, its idempotency records and follower history, all in
//      bounded steps, each safe to repeat;
//   3. one transaction deletes the profile with its follower-count shards, frees the handle and ends the pending
//      deletion.
// A crash anywhere leaves a pending deletion that the next run (or a repeated DELETE /me) finishes.

/** How many comments, posts or records one round reads. */
const ROUND = 100;

export interface DeletionSteps {
  /** The cleanup run doing the work (its totals count the account), or null for the owner's DELETE /me. */
  run: RunTicket | null;
  /** Epoch ms after which no new step starts: the caller gets `unfinished` and goes on later. */
  deadline: number;
  now: Date;
  /** Accounts whose touch this invocation has recorded already (or found not to survive). */
  touched: Set<string>;
}

export type DeletionOutcome = "deleted" | "unfinished";

/**
 * Records, before a deletion changes them, the counts of a surviving account the deletion is about to touch, so
 * that the run's recount recomputes them and reports the change. Accounts that are being deleted themselves are
 * left out: they will not survive.
 */
export async function touch(userId: string, steps: DeletionSteps): Promise<void> {
  if (!steps.run || steps.touched.has(userId)) return;
  if (touchesOfRun.runId === steps.run.runId && touchesOfRun.userIds.has(userId)) return;
  const state = await getStoredAccountState(userId);
  if (state && !state.deletion) {
    await recordTouched(
      { userId, followerBefore: state.account.followerCount, followingBefore: state.account.followingCount },
      "run",
      steps.now,
    );
    rememberTouch(steps.run.runId, userId);
  }
  steps.touched.add(userId);
}

/**
 * Surviving accounts whose touch this process has seen recorded for the current run, across the batch steps a warm
 * function runs for it: a real run's touch stays in `CLEANUP#TOUCHED` until the run's recount, which starts only
 * after every batch step (the state machine's order; the lease keeps other runs out), so touching such an account
 * again would read it and write nothing (a popular author would be read and conditionally written again in every
 * batch). Only a recorded touch is remembered, never a crash's half: a process that dies forgets it all and touches
 * again, as before. Bounded; forgotten when this process runs another run or recounts this one.
 */
const touchesOfRun = { runId: "", userIds: new Set<string>() };
const REMEMBERED_TOUCHES = 50_000;

function rememberTouch(runId: string, userId: string): void {
  if (touchesOfRun.runId !== runId) forgetTouchesOfRun(null);
  touchesOfRun.runId = runId;
  if (touchesOfRun.userIds.size < REMEMBERED_TOUCHES) touchesOfRun.userIds.add(userId);
}

/** The recount ends a run's touches: what this process remembers of them (all runs' with null) goes. */
export function forgetTouchesOfRun(runId: string | null): void {
  if (runId === null || touchesOfRun.runId === runId) {
    touchesOfRun.runId = "";
    touchesOfRun.userIds.clear();
  }
}

/** Marks an account's deletion as its owner asked: no conditions but that it exists. */
async function markOwnerDeletion(userId: string, now: Date): Promise<boolean> {
  const mark: DeletionMark = { reason: "owner", runId: null, at: now.toISOString() };
  // A second round only when the account got its follower-count shards between the read and the mark (the mark
  // lists the shards it read, so it is refused): the account has them now, and cannot get them again.
  for (let round = 0; round < 2; round++) {
    const state = await getStoredAccountState(userId);
    if (!state) return false;
    if (state.deletion) return true;
    if (await markAccountDeletion(state, mark, null)) return true;
  }
  // Lost a race: with another DELETE /me or a cleanup run, which marked it; either way it is being deleted.
  const again = await getStoredAccountState(userId);
  return again !== null && again.deletion !== null;
}

/**
 * Whether the deletion this attempt works on has been finished by another one (a concurrent DELETE /me, or a run):
 * its pending deletion is gone. Its owner may have signed up again since, and the new account under the same ID,
 * its posts included, is not this attempt's to delete. 1 GetItem, read only before a round that would delete.
 */
async function finishedElsewhere(userId: string): Promise<boolean> {
  return (await getPendingDeletion(userId)) === null;
}

/**
 * Deletes an account whose deletion is marked, from wherever an earlier attempt stopped. Answers `unfinished`
 * when the deadline came first (call again), `deleted` when the account is gone.
 */
export async function deleteMarkedAccount(userId: string, steps: DeletionSteps): Promise<DeletionOutcome> {
  try {
    return await deleteFromWhereItStopped(userId, steps);
  } catch (error) {
    // A relation or comment write counts itself on the pending deletion, on condition that it exists: cancelled
    // there when a concurrent attempt finished the deletion (and its owner may be back with a new account).
    if (error instanceof TransactionCancelled && (await finishedElsewhere(userId))) return "deleted";
    throw error;
  }
}

async function deleteFromWhereItStopped(userId: string, steps: DeletionSteps): Promise<DeletionOutcome> {
  const late = () => Date.now() > steps.deadline;
  const countEdge = [countOnPending(userId, "edges")];

  const removeRelations = async (
    pages: AsyncGenerator<FollowRelation[]>,
    other: (relation: FollowRelation) => string,
  ) => {
    for await (const page of pages) {
      for (const relation of page) {
        if (late()) return false;
        await touch(other(relation), steps);
        await deleteFollow(relation, countEdge);
      }
    }
    return true;
  };
  if (!(await removeRelations(allFollowing(userId), (relation) => relation.followeeId))) return "unfinished";
  if (!(await removeRelations(allFollowers(userId), (relation) => relation.followerId))) return "unfinished";
  // Dormant relations (contract 1.2): those it holds, and its own that another deactivated account holds. Nothing is
  // kept of an account deleted: they go, without a count change (they were counted out when they went dormant).
  if (!(await dropDormantRelations(userId, late))) return "unfinished";

  // Comments stay, without their writer; the index entries go once their comments are anonymized.
  for (;;) {
    const entries = await commentIndexPage(userId, ROUND);
    if (entries.length === 0) break;
    for (const entry of entries) {
      if (late()) return "unfinished";
      await anonymizeComment(entry, userId, [countOnPending(userId, "comments")]);
    }
    await batchDelete(entries.map((entry) => entry.key));
  }

  // Posts, idempotency records and history are deleted without a condition on the pending deletion: before each
  // such round, make sure this attempt is still the deletion's (see `finishedElsewhere`).
  for (;;) {
    const posts = await postsPage(userId, ROUND);
    if (posts.length === 0) break;
    if (await finishedElsewhere(userId)) return "deleted";
    for (const post of posts) {
      if (late()) return "unfinished";
      // A post with many comments is deleted in rounds, as DELETE /posts/{postId} deletes it: none begins late, and
      // the post, marked, is taken up again where it stopped.
      try {
        await deletePostWithComments(post, () => !late());
      } catch (error) {
        if (error instanceof CommentDeletionInterrupted) return "unfinished";
        throw error;
      }
    }
  }

  for (const page of [idempotencyKeysPage, historyKeysOf]) {
    for (;;) {
      if (late()) return "unfinished";
      const itemKeys = await page(userId, ROUND);
      if (itemKeys.length === 0) break;
      if (await finishedElsewhere(userId)) return "deleted";
      await batchDelete(itemKeys);
    }
  }

  for (let attempt = 0; attempt < 5; attempt++) {
    const [state, pending] = await Promise.all([getStoredAccountState(userId), getPendingDeletion(userId)]);
    if (!state) return "deleted"; // finished by a concurrent attempt
    if (!state.deletion) {
      // Finished by a concurrent attempt, and its owner has signed up again since: the new account is not ours.
      if (!pending) return "deleted";
      throw new Error(`account ${userId} is not marked for deletion`);
    }
    const figures = { edges: pending?.edges ?? 0, comments: pending?.comments ?? 0 };
    if (await finishAccountDeletion(state, figures, steps.run?.runId ?? null)) return "deleted";
  }
  throw unavailable(1);
}

/**
 * Drops every dormant relation of an account that is deleted or purged: those it holds (its `DORMANT#` index) and
 * those of its own partition another deactivated account holds. No count changes. False when `late()` came first.
 */
export async function dropDormantRelations(userId: string, late: () => boolean): Promise<boolean> {
  for (;;) {
    const held = await dormantRelationsPage(userId, ROUND);
    if (held.length === 0) break;
    for (const relation of held) {
      if (late()) return false;
      await dropDormantRelation(relation, userId);
    }
  }
  for await (const page of relationItemsOf(userId)) {
    for (const state of page) {
      if (state.dormantUnder === null) continue;
      if (late()) return false;
      await dropDormantRelation(state.relation, state.dormantUnder);
    }
  }
  return true;
}

/**
 * What DELETE /me keeps back from the invocation's deadline (shared/deadline.ts): it starts no new piece of the
 * deletion with less left, and answers. With the route's 10 s and the 1 s margin, it works for its first 5 s.
 */
const OWNER_DELETION_RESERVE_MS = 4_000;

/**
 * DELETE /me: the account is marked at once (from then on it is gone for every reader and the caller), then
 * deleted until `workUntil` (epoch ms; by default `OWNER_DELETION_RESERVE_MS` before the invocation's deadline).
 * What that does not cover (an account with very many relations, comments or posts) stays pending and the next
 * cleanup run finishes it; a repeated DELETE /me resumes it too. 404 when the caller has no profile and no
 * deletion of it is under way.
 */
export async function deleteMyAccount(
  userId: string,
  hasProfile: boolean,
  now = new Date(),
  workUntil = deadlineMinus(OWNER_DELETION_RESERVE_MS),
): Promise<void> {
  const underWay = hasProfile ? await markOwnerDeletion(userId, now) : (await getPendingDeletion(userId)) !== null;
  if (!underWay) throw notFound("Your profile");
  await deleteMarkedAccount(userId, { run: null, deadline: workUntil, now, touched: new Set() });
}
