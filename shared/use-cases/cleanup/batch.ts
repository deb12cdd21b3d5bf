import { markAccountDeletion } from "../../db/account-deletion-store";
import { getStoredAccountStates, type DeletionMark, type StoredAccountState } from "../../db/account-store";
import { isDeactivation } from "../../db/entities/account";
import { dropOutlookSync } from "../../db/outlook-store";
import { renewLease } from "../../db/cleanup-run-store";
import { dropPendingDeletion } from "../../db/pending-deletion-store";
import { config } from "../../config";
import type { RunTicket } from "../../domain/cleanup";
import { recordBusinessMetric } from "../../metrics";
import { deleteMarkedAccount, type DeletionSteps } from "../account-deletion";
import { configuredMailer, type MailerSource } from "../notices";
import { syncOutlook } from "../outlook";
import { deactivateMarkedAccount } from "./deactivate";
import { dryRunCandidate } from "./dry-run";
import { applySchedule } from "./notify";
import { purgeAccount } from "./purge";
import { continueRestore, flipForUndo } from "./restore";

// The processing step: a batch's candidates are read again together (strongly consistent) and each is judged, then
// notified, deactivated or deleted, or left for a later run. Each candidate is read once per step: what a step
// writes is conditioned on what it read, and the state after a write that succeeded is known from the write itself.

/**
 * Processes a batch of candidates until done or until `budgetMs` is spent: they are read again with strongly
 * consistent reads (getStoredAccountStates: one BatchGetItem for the batch) and each is judged by the notice schedule (`decideSchedule`): a due notice is recorded and delivered, a
 * withdrawn schedule cleared, and an account whose schedule is complete is marked (conditionally: it must still be
 * as judged) and deleted; a pending deletion is finished. Answers the candidates left for the next call, the one
 * it stopped in first.
 */
export async function processBatch(
  run: RunTicket,
  userIds: readonly string[],
  now: Date,
  budgetMs: number,
  mailer: MailerSource = configuredMailer,
): Promise<{ remaining: string[] }> {
  await renewLease(run.runId, now, config.CLEANUP_LEASE_SECONDS);
  const steps: DeletionSteps = { run, deadline: Date.now() + budgetMs, now, touched: new Set() };
  const states = run.undoId || run.dryRun ? null : await getStoredAccountStates(userIds);
  for (let i = 0; i < userIds.length; i++) {
    if (Date.now() > steps.deadline) return { remaining: userIds.slice(i) };
    const outcome = run.undoId
      ? await undoCandidate(run, userIds[i]!, now, steps.deadline)
      : run.dryRun
        ? await dryRunCandidate(run, userIds[i]!, now)
        : await processCandidate(userIds[i]!, states!.get(userIds[i]!) ?? null, steps, mailer);
    if (outcome === "unfinished") return { remaining: userIds.slice(i) };
  }
  return { remaining: [] };
}

/**
 * An undo's batch item: one account the undone run deactivated, restored as a sign-in would restore it but without
 * activity, relations and comments all back before the next (unless it is no longer that run's to give back).
 */
async function undoCandidate(
  run: RunTicket,
  userId: string,
  now: Date,
  deadline: number,
): Promise<"done" | "unfinished"> {
  if (!(await flipForUndo(userId, { runId: run.runId, undoId: run.undoId! }, now))) return "done";
  return (await continueRestore(userId, deadline, now)) === "unfinished" ? "unfinished" : "done";
}

/**
 * One candidate of a real run, from its state as the batch read it. Candidates of one batch are disjoint from other
 * batches', and what another candidate's steps change on it meanwhile (its counts, as a relation leaves) is nothing
 * a judgement or a mark's condition depends on: every write is conditioned on what was judged.
 */
async function processCandidate(
  userId: string,
  state: StoredAccountState | null,
  steps: DeletionSteps,
  mailer: MailerSource,
): Promise<"done" | "unfinished"> {
  const run = steps.run!;
  if (!state) {
    // Gone already; a pending deletion or an outlook sync left without its account (it would block nothing).
    await dropPendingDeletion(userId);
    await dropOutlookSync(userId);
    return "done";
  }
  if (!state.deletion) {
    // A follower-outlook sync that a request or a crash cut short goes on first.
    if (state.outlook.dirty && !(await syncOutlook(userId, steps.deadline, state.outlook))) return "unfinished";
    const notices = await applySchedule(state, run, steps.now, mailer, steps.deadline);
    if (notices === "unfinished") return "unfinished";
    if (notices === null) return "done";
    const mark = markOf(run.runId, steps.now);
    const marked = await markAccountDeletion(state, mark, {
      cutoff: run.cutoff,
      entitlements: state.account.entitlements,
      notices: notices.length,
    });
    // Not marked: active at or after the cutoff, an entitlement, a role or a withdrawal since it was read (or marked
    // by its owner a moment ago, whose deletion goes on without us).
    if (!marked) return "done";
    // The state the mark left (its update expression), without reading it back.
    // Its relations stay where its notices put them in its followees' outlooks until they move (the mark removed
    // the target from the profile): the deactivation expects them there.
    return finishMarked(
      userId,
      { ...state, deletion: mark, restoring: null, outlook: { at: null, dirty: false } },
      steps,
      state.outlook.at,
      true,
    );
  }
  return finishMarked(userId, state, steps);
}

/**
 * The mark a run puts on an account whose notices are complete: a deactivation with the configured grace
 * (contract 1.2), or with `DEACTIVATION_GRACE=P0D` a deletion as in 1.1.
 */
function markOf(runId: string, now: Date): DeletionMark {
  const at = now.toISOString();
  const grace = config.DEACTIVATION_GRACE.ms;
  return grace > 0
    ? {
        reason: "inactive",
        runId,
        at,
        graceUntil: new Date(now.getTime() + grace).toISOString(),
        phase: "deactivating",
      }
    : { reason: "inactive", runId, at };
}

/**
 * Goes on with a marked account, from its state as this step read or wrote it: its deactivation (then its purge, once
 * its grace has passed), or its deletion.
 */
async function finishMarked(
  userId: string,
  state: StoredAccountState,
  steps: DeletionSteps,
  outlookAtBeforeMark: string | null = null,
  /** Marked by this step: its pending deletion is as the mark put it. */
  justMarked = false,
): Promise<"done" | "unfinished"> {
  const mark = state.deletion;
  if (!mark) return "done";
  if (!isDeactivation(mark)) {
    if ((await deleteMarkedAccount(userId, steps)) !== "deleted") return "unfinished";
    recordBusinessMetric("AccountsDeleted");
    return "done";
  }
  let known: StoredAccountState | null = state;
  if (mark.phase === "deactivating") {
    const deactivated = await deactivateMarkedAccount(userId, steps, state, outlookAtBeforeMark, justMarked);
    if (deactivated === "unfinished") return "unfinished";
    if (deactivated === "not-deactivating") return "done";
    recordBusinessMetric("AccountsDeactivated");
    // Dormant under this very mark now: no purge is due before its grace has passed (nothing to read to know it).
    if (Date.parse(mark.graceUntil) > steps.now.getTime()) return "done";
    known = null; // the deactivation wrote to it since: the purge reads it
  }
  const purged = await purgeAccount(userId, steps, known);
  if (purged === "unfinished") return "unfinished";
  if (purged === "purged") recordBusinessMetric("AccountsPurged");
  return "done";
}
