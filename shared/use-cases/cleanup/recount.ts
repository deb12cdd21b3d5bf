import { recordCountChange, renewLease } from "../../db/cleanup-run-store";
import { dryLostFollowers, wouldDelete } from "../../db/dry-run-store";
import { countFollowers } from "../../db/follow-read-store";
import { restorePointItems } from "../../db/follower-history-store";
import { deleteTouched, touchedPage, type TouchedAccount, type TouchedSet } from "../../db/touched-account-store";
import { transactWrite } from "../../db/transactions";
import { config } from "../../config";
import type { RunTicket } from "../../domain/cleanup";
import { DomainError } from "../../errors";
import { forgetTouchesOfRun } from "../account-deletion";
import { recountAccount, type AccountRecount } from "../account-recount";

/** Touched accounts one recount round reads. */
const RECOUNT_PAGE_SIZE = 25;

/**
 * One round of the recount: every touched account is counted again from its relations (Select COUNT) and the
 * counts are stored, guarded by what was read (a follow meanwhile makes it count again); a changed follower
 * count is recorded as a count change of the run and, unless dry, as a point of the account's follower history,
 * in the same transaction that ends the account's touch. Answers whether every touched account is recounted.
 */
export async function recountStep(run: RunTicket, now: Date, budgetMs: number): Promise<{ done: boolean }> {
  await renewLease(run.runId, now, config.CLEANUP_LEASE_SECONDS);
  forgetTouchesOfRun(run.runId);
  const deadline = Date.now() + budgetMs;
  const set: TouchedSet = run.undoId ? { restore: run.undoId } : run.dryRun ? { dryRun: run.runId } : "run";
  while (Date.now() <= deadline) {
    const page = await touchedPage(set, RECOUNT_PAGE_SIZE);
    if (page.length === 0) return { done: true };
    for (const touched of page) {
      try {
        if (run.undoId) await undoRecount(run.undoId, touched, now);
        else await (run.dryRun ? dryRecount(run, touched, now) : recount(run, touched, now));
      } catch (error) {
        // Follows of the account kept landing between its read and its write for the whole recount budget: the
        // touch stays, and the next round of this step (the state machine loops) counts it again.
        if (error instanceof DomainError && error.code === "unavailable") return { done: false };
        throw error;
      }
    }
  }
  return { done: false };
}

/** The follower count's change from the touch to the recount, or null when the recount found it unchanged. */
function followerChange(
  touched: TouchedAccount,
  recount: AccountRecount | null,
): { userId: string; before: number; after: number } | null {
  if (!recount || recount.counted.followers === touched.followerBefore) return null;
  return { userId: touched.userId, before: touched.followerBefore, after: recount.counted.followers };
}

/**
 * An undo's recount of an account whose follower count its restores raised: its one history point for the whole
 * undo (reason `accounts_restored`, `before` the count before the undo's first raise, `after` the recount), named by
 * the undo, in the recount's transaction with the end of its touch. The undone run's count changes stay as the run
 * reported them.
 */
async function undoRecount(undoId: string, touched: TouchedAccount, now: Date): Promise<void> {
  await recountAccount(touched.userId, (recount) => {
    const change = followerChange(touched, recount);
    return [
      ...(change ? restorePointItems(undoId, change, now.toISOString()) : []),
      deleteTouched(touched.userId, { restore: undoId }),
    ];
  });
}

async function recount(run: RunTicket, touched: TouchedAccount, now: Date): Promise<void> {
  await recountAccount(touched.userId, (recount) => {
    const change = followerChange(touched, recount);
    return [
      ...(change ? recordCountChange(run.runId, change, now.toISOString(), true) : []),
      deleteTouched(touched.userId, "run"),
    ];
  });
}

async function dryRecount(run: RunTicket, touched: TouchedAccount, now: Date): Promise<void> {
  if (await wouldDelete(run.runId, touched.userId)) {
    await transactWrite([deleteTouched(touched.userId, { dryRun: run.runId })]);
    return;
  }
  const [followers, lost] = await Promise.all([
    countFollowers(touched.userId),
    dryLostFollowers(run.runId, touched.userId),
  ]);
  const change = { userId: touched.userId, before: touched.followerBefore, after: followers - lost };
  await transactWrite([
    ...(change.before !== change.after ? recordCountChange(run.runId, change, now.toISOString(), false) : []),
    deleteTouched(touched.userId, { dryRun: run.runId }),
  ]);
}
