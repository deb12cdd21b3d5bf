import { markAccountDeletion } from "../../db/account-deletion-store";
import { getStoredAccountState, type DeletionMark } from "../../db/account-store";
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

// The processing step: each candidate of a batch is read again (strongly consistent) and judged, then notified,
// deleted, or left for a later run.

/**
 * Processes a batch of candidates until done or until `budgetMs` is spent: each is read again with a strongly
 * consistent read and judged by the notice schedule (`decideSchedule`): a due notice is recorded and delivered, a
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
  for (let i = 0; i < userIds.length; i++) {
    if (Date.now() > steps.deadline) return { remaining: userIds.slice(i) };
    const outcome = run.undoId
      ? await undoCandidate(run, userIds[i]!, now, steps.deadline)
      : run.dryRun
        ? await dryRunCandidate(run, userIds[i]!, now)
        : await processCandidate(userIds[i]!, steps, mailer);
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

async function processCandidate(
  userId: string,
  steps: DeletionSteps,
  mailer: MailerSource,
): Promise<"done" | "unfinished"> {
  const run = steps.run!;
  const state = await getStoredAccountState(userId);
  if (!state) {
    // Gone already; a pending deletion or an outlook sync left without its account (it would block nothing).
    await dropPendingDeletion(userId);
    await dropOutlookSync(userId);
    return "done";
  }
  if (!state.deletion) {
    // A follower-outlook sync that a request or a crash cut short goes on first.
    if (state.outlook.dirty && !(await syncOutlook(userId, steps.deadline))) return "unfinished";
    const notices = await applySchedule(state, run, steps.now, mailer, steps.deadline);
    if (notices === "unfinished") return "unfinished";
    if (notices === null) return "done";
    const marked = await markAccountDeletion(state, markOf(run.runId, steps.now), {
      cutoff: run.cutoff,
      entitlements: state.account.entitlements,
      notices: notices.length,
    });
    // Not marked: active at or after the cutoff, an entitlement, a role or a withdrawal since it was read (or marked
    // by its owner a moment ago, whose deletion goes on without us).
    if (!marked) return "done";
    return finishMarked(userId, steps);
  }
  return finishMarked(userId, steps);
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

/** Goes on with a marked account: its deactivation (then its purge, once its grace has passed), or its deletion. */
async function finishMarked(userId: string, steps: DeletionSteps): Promise<"done" | "unfinished"> {
  const state = await getStoredAccountState(userId);
  if (!state?.deletion) return "done";
  if (!isDeactivation(state.deletion)) {
    if ((await deleteMarkedAccount(userId, steps)) !== "deleted") return "unfinished";
    recordBusinessMetric("AccountsDeleted");
    return "done";
  }
  if (state.deletion.phase === "deactivating") {
    const deactivated = await deactivateMarkedAccount(userId, steps);
    if (deactivated === "unfinished") return "unfinished";
    if (deactivated === "not-deactivating") return "done";
    recordBusinessMetric("AccountsDeactivated");
  }
  const purged = await purgeAccount(userId, steps);
  if (purged === "unfinished") return "unfinished";
  if (purged === "purged") recordBusinessMetric("AccountsPurged");
  return "done";
}
