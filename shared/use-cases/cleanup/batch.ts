import { markAccountDeletion } from "../../db/account-deletion-store";
import { getStoredAccountState } from "../../db/account-store";
import { renewLease } from "../../db/cleanup-run-store";
import { dropPendingDeletion } from "../../db/pending-deletion-store";
import { config } from "../../config";
import type { RunTicket } from "../../domain/cleanup";
import { recordBusinessMetric } from "../../metrics";
import { deleteMarkedAccount, type DeletionSteps } from "../account-deletion";
import { configuredMailer, type MailerSource } from "../notices";
import { dryRunCandidate } from "./dry-run";
import { applySchedule } from "./notify";

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
    const outcome = run.dryRun
      ? await dryRunCandidate(run, userIds[i]!, now)
      : await processCandidate(userIds[i]!, steps, mailer);
    if (outcome === "unfinished") return { remaining: userIds.slice(i) };
  }
  return { remaining: [] };
}

async function processCandidate(
  userId: string,
  steps: DeletionSteps,
  mailer: MailerSource,
): Promise<"done" | "unfinished"> {
  const run = steps.run!;
  const state = await getStoredAccountState(userId);
  if (!state) {
    // Gone already; a pending deletion left without its account (it cannot be, but it would block nothing).
    await dropPendingDeletion(userId);
    return "done";
  }
  if (!state.deletion) {
    const notices = await applySchedule(state, run, steps.now, mailer);
    if (notices === null) return "done";
    const marked = await markAccountDeletion(
      state,
      { reason: "inactive", runId: run.runId, at: steps.now.toISOString() },
      { cutoff: run.cutoff, entitlements: state.account.entitlements, notices: notices.length },
    );
    // Not marked: active at or after the cutoff, an entitlement, a role or a withdrawal since it was read (or marked
    // by its owner a moment ago, whose deletion goes on without us).
    if (!marked) return "done";
  }
  if ((await deleteMarkedAccount(userId, steps)) !== "deleted") return "unfinished";
  recordBusinessMetric("AccountsDeleted");
  return "done";
}
