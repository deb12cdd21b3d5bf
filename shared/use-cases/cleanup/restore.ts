import { commentIndexPage } from "../../db/account-deletion-store";
import { getStoredAccountState, type StoredAccountState } from "../../db/account-store";
import { isDeactivation, type DeactivationMark, type RestoringState } from "../../db/entities/account";
import { restorePointItems } from "../../db/follower-history-store";
import { dormantRelationsPage, dropDormantRelation } from "../../db/dormant-relation-store";
import {
  dropRestoringEntry,
  finishRestore,
  flipToRestoring,
  getRestoringEntry,
  rehomeRelation,
  restoreComment,
  restoreCommentsAfter,
  restoringPage,
  reviveRelation,
  type RestoreStart,
} from "../../db/second-chance-store";
import { deleteTouched, recordTouched, touchedPage } from "../../db/touched-account-store";
import { transactWrite } from "../../db/transactions";
import type { FollowRelation } from "../../domain/follow";
import { budgetUntil } from "../../deadline";
import { unavailable } from "../../errors";
import { ulid } from "../../ids";
import { logger } from "../../logger";
import { recordBusinessMetric } from "../../metrics";

// Restore (contract 1.2, "A second chance"; docs/data-model.md): a deactivated account comes back whole. The flip
// gives it back to every reader at once; then each dormant relation it holds is settled by its other account
// (revived, handed on to it while it is dormant too, or dropped when it is gone), its comments get their writer
// back, each account whose follower count rose gets one history point, and the restore ends. Any number of workers
// may go on with one restore at once (the owner's request, the restore sweep, an undo's step): every write is
// conditioned on the state it moves from.

/** How long a signed-in request works on its own restore before it answers (the rest goes on in the background). */
const RESTORE_REQUEST_BUDGET_MS = 1_000;
/** What the request keeps back from its deadline for its own work after the restore's share (shared/deadline.ts). */
const RESTORE_REQUEST_RESERVE_MS = 5_000;
/** Dormant relations, comments, touched accounts or restoring accounts one round reads. */
const ROUND = 100;
/** Rounds of read and settle one relation gets while the accounts keep changing under it. */
const SETTLE_ROUNDS = 6;

let background: (() => void) | undefined;

/**
 * Called by the local host: a restore that a request could not finish within its budget goes on in this process's
 * background (in AWS, the restore sweep's schedule picks it up).
 */
export function whenRestoresAreLeft(start: () => void): void {
  background = start;
}

/**
 * The owner's signed-in request within the grace: flips the account back (its activity is the request's) and works
 * on its relations within the budget. Answers whether the account is restored (or was being restored by a
 * concurrent request); false when it is not deactivated or its grace has passed.
 */
export async function restoreOnSignIn(state: StoredAccountState, now: Date): Promise<boolean> {
  const mark = state.deletion;
  if (!isDeactivation(mark) || mark.phase === "purging" || Date.parse(mark.graceUntil) <= now.getTime()) return false;
  const restoreId = ulid(now.getTime());
  const restoring: RestoringState = {
    restoreId,
    touchedSet: restoreId,
    fromRunId: mark.runId,
    at: now.toISOString(),
  };
  if (!(await flipToRestoring(state, mark, restoring, { kind: "sign-in", at: now.toISOString() }))) {
    // A concurrent request (or an undo) flipped it first, or a purge began: read it again to know.
    const again = await getStoredAccountState(state.account.userId);
    return again !== null && again.deletion === null;
  }
  logger.info("account restored by its owner's sign-in", { userId: state.account.userId, restoreId });
  const outcome = await continueRestore(
    state.account.userId,
    budgetUntil(RESTORE_REQUEST_BUDGET_MS, RESTORE_REQUEST_RESERVE_MS),
    now,
  );
  if (outcome === "unfinished") background?.();
  return true;
}

/**
 * An undo's restore of one account the run deactivated (no activity: it keeps its `lastActiveAt`): the flip, unless
 * the account is no longer deactivated by that run (restored by a sign-in, purged, or deactivated again). Answers
 * whether it is flipped (by this call or an earlier try of the same undo).
 */
export async function flipForUndo(
  userId: string,
  undo: { runId: string; undoId: string },
  now: Date,
): Promise<boolean> {
  const state = await getStoredAccountState(userId);
  if (!state) return false;
  if (state.restoring?.undoId === undo.undoId) return true;
  const mark = state.deletion;
  if (!isDeactivation(mark) || mark.phase === "purging" || mark.runId !== undo.runId) return false;
  const restoring: RestoringState = {
    restoreId: ulid(now.getTime()),
    touchedSet: undo.undoId,
    fromRunId: mark.runId,
    undoId: undo.undoId,
    at: now.toISOString(),
  };
  const start: RestoreStart = { kind: "undo", runId: undo.runId, undoId: undo.undoId, at: now.toISOString() };
  if (await flipToRestoring(state, mark, restoring, start)) return true;
  return (await getStoredAccountState(userId))?.restoring?.undoId === undo.undoId;
}

export type RestoreOutcome = "done" | "unfinished" | "not-restoring";

/**
 * Goes on with an account's restore until it is done or the deadline has passed: its dormant relations, then its
 * comments, then (for a restore of its own, not an undo's) the history points of the accounts it touched, then the
 * end. `not-restoring`: no restore of it is under way (ended by another worker, or the account was deleted).
 */
export async function continueRestore(userId: string, deadline: number, now: Date): Promise<RestoreOutcome> {
  const late = () => Date.now() > deadline;
  const [state, entry] = await Promise.all([getStoredAccountState(userId), getRestoringEntry(userId)]);
  if (!state || state.deletion || !state.restoring) return "not-restoring";
  const restoring = state.restoring;

  for (;;) {
    const relations = await dormantRelationsPage(userId, ROUND);
    if (relations.length === 0) break;
    for (const relation of relations) {
      if (late()) return "unfinished";
      await settleDormantRelation(relation, userId, restoring.touchedSet);
    }
  }

  let after = entry?.restoreId === restoring.restoreId ? entry.commentsAfter : undefined;
  for (;;) {
    if (late()) return "unfinished";
    const comments = await commentIndexPage(userId, ROUND, after);
    if (comments.length === 0) break;
    for (const comment of comments)
      await restoreComment({ postUlid: comment.post.id, commentId: comment.commentId }, userId);
    after = comments.at(-1)!.commentId;
    await restoreCommentsAfter(userId, restoring.restoreId, after);
  }

  // An undo's touched set is settled once for the whole undo, by its recount step.
  if (restoring.undoId === undefined) {
    if (!(await settleRestorePoints(restoring.touchedSet, restoring.restoreId, deadline, now))) return "unfinished";
  }
  if (await finishRestore(userId, restoring)) recordBusinessMetric("AccountsRestored");
  return "done";
}

/**
 * Settles one dormant relation its holder's restore found, by what its other account is now (read strongly): live
 * and made before the relation, revived (its followee's counts recorded first in the restore's touched set); still
 * deactivated, handed on to it; gone, being deleted or purged (or made after the relation), dropped.
 */
export async function settleDormantRelation(
  relation: FollowRelation,
  holderId: string,
  touchedSet: string | null,
): Promise<void> {
  const otherId = relation.followerId === holderId ? relation.followeeId : relation.followerId;
  for (let round = 0; round < SETTLE_ROUNDS; round++) {
    const [holder, other] = await Promise.all([getStoredAccountState(holderId), getStoredAccountState(otherId)]);
    // The holder is deactivated again or being deleted: its relation stays with it (a deletion drops it).
    if (!holder || holder.deletion) return;
    const madeBefore = (account: StoredAccountState) =>
      Date.parse(account.account.createdAt) <= Date.parse(relation.followedAt);
    if (!other || !madeBefore(other) || (other.deletion && !deactivated(other.deletion))) {
      await dropDormantRelation(relation, holderId);
      return;
    }
    if (deactivated(other.deletion)) {
      if ((await rehomeRelation(relation, holderId, { userId: otherId, mark: other.deletion })) === "done") return;
      continue;
    }
    if (touchedSet !== null && relation.followeeId === otherId) {
      await recordTouched(
        {
          userId: otherId,
          followerBefore: other.account.followerCount,
          followingBefore: other.account.followingCount,
        },
        { restore: touchedSet },
        new Date(),
      );
    }
    const follower = relation.followerId === holderId ? holder : other;
    const outcome = await reviveRelation({ relation, holderId, followerOutlook: follower.outlook.at });
    if (outcome === "done") return;
  }
  throw unavailable(1);
}

/** A deactivation that a relation can wait in: deactivating or dormant, not being purged. */
const deactivated = (mark: StoredAccountState["deletion"]): mark is DeactivationMark =>
  isDeactivation(mark) && mark.phase !== "purging";

/**
 * The end of a restore of its own (a sign-in's): every account it touched gets one follower history point (reason
 * `accounts_restored`: `before` the count recorded before the restore raised it, `after` the stored count now),
 * in one transaction with its record's deletion. Answers false when the deadline came first.
 */
async function settleRestorePoints(
  touchedSet: string,
  restoreId: string,
  deadline: number,
  now: Date,
): Promise<boolean> {
  for (;;) {
    const page = await touchedPage({ restore: touchedSet }, ROUND);
    if (page.length === 0) return true;
    for (const touched of page) {
      if (Date.now() > deadline) return false;
      const account = await getStoredAccountState(touched.userId);
      const after = account && !account.deletion ? account.account.followerCount : null;
      const change = after === null ? null : { userId: touched.userId, before: touched.followerBefore, after };
      await transactWrite([
        ...(change && change.after > change.before ? restorePointItems(restoreId, change, now.toISOString()) : []),
        deleteTouched(touched.userId, { restore: touchedSet }),
      ]);
    }
  }
}

/**
 * One step of the restore sweep (the state machine of its own in AWS, the local runner locally): every restore
 * under way goes on until done or the budget is spent; an entry whose restore is no longer under way (the account
 * was deleted meanwhile, or a crash fell between the end and the entry's deletion) has its own touched set settled
 * and goes. Answers whether every restore is done.
 */
export async function restoreSweepStep(now: Date, budgetMs: number): Promise<{ done: boolean }> {
  const deadline = Date.now() + budgetMs;
  let after: string | undefined;
  let left = false;
  do {
    const page = await restoringPage(ROUND, after);
    for (const entry of page.entries) {
      if (Date.now() > deadline) return { done: false };
      const outcome = await continueRestore(entry.userId, deadline, now);
      if (outcome === "unfinished") left = true;
      if (outcome === "not-restoring") {
        if (entry.touchedSet === entry.restoreId) {
          if (!(await settleRestorePoints(entry.touchedSet, entry.restoreId, deadline, now))) return { done: false };
        }
        await dropRestoringEntry(entry.userId, entry.restoreId);
      }
    }
    after = page.next;
  } while (after !== undefined);
  return { done: !left };
}
