import {
  CleanupAlreadyRunning,
  countCountChanges,
  createRunWithLease,
  createUndoWithLease,
  endRun,
  endUndo,
  getRun,
  getRunUndo,
} from "../../db/cleanup-run-store";
import { dryRunTotals } from "../../db/dry-run-store";
import { noticeTotals } from "../../db/notice-store";
import { config } from "../../config";
import type { Caller } from "../../domain/account";
import { resolveCutoff, type Run, type RunTicket } from "../../domain/cleanup";
import { cleanupAlreadyRunning, notFound, validationFailed } from "../../errors";
import { ulid } from "../../ids";
import { requireProfile } from "../caller";

// Begin and end: a run takes the one lease with its record (one transaction) and gives it back with its report
// (one transaction), so it leaves `running` exactly when a new run may start.

/** Takes the lease and creates the run record; null while another run holds the lease. */
async function startRun(request: { dryRun: boolean; cutoff: string }, now: Date): Promise<Run | null> {
  try {
    return await createRunWithLease({ runId: ulid(now.getTime()), ...request }, now, config.CLEANUP_LEASE_SECONDS);
  } catch (error) {
    if (error instanceof CleanupAlreadyRunning) return null;
    throw error;
  }
}

/** Starts a run: the lease and the run record (409 while another run holds the lease). */
export async function beginRun(request: { dryRun: boolean; cutoff: string }, now: Date): Promise<Run> {
  const run = await startRun(request, now);
  if (!run) throw cleanupAlreadyRunning();
  return run;
}

/**
 * The state machine's first step. Started by the admin route, the run exists already (the route took the lease):
 * it goes on while it is still running. Started by the daily schedule (no run named), a real run with the
 * default cutoff begins; null when there is nothing to run (the named run has ended, or another run holds the
 * lease: nothing to do today).
 */
export async function beginOrContinueRun(requested: Partial<RunTicket>, now: Date): Promise<RunTicket | null> {
  if (requested.runId && requested.undoId) {
    const stored = await getRunUndo(requested.runId);
    return stored?.undo?.undoId === requested.undoId && stored.undo.status === "running"
      ? { ...ticketOf(requested as RunTicket), undoId: requested.undoId }
      : null;
  }
  if (requested.runId) {
    const run = await getRun(requested.runId);
    return run?.status === "running" ? ticketOf(run) : null;
  }
  const run = await startRun(runRequest({}, now), now);
  return run ? ticketOf(run) : null;
}

/** The run a request asks for, with the cutoff resolved (default: now − INACTIVE_AFTER_DAYS). */
export function runRequest(
  input: { dryRun?: boolean | undefined; cutoff?: string | undefined },
  now: Date,
): { dryRun: boolean; cutoff: string } {
  const resolved = resolveCutoff(input.cutoff, now, config.INACTIVE_AFTER_DAYS);
  if ("problem" in resolved) throw validationFailed([resolved.problem]);
  return { dryRun: input.dryRun ?? false, cutoff: resolved.cutoff };
}

export const ticketOf = (run: Pick<Run, "runId" | "dryRun" | "cutoff">): RunTicket => ({
  runId: run.runId,
  dryRun: run.dryRun,
  cutoff: run.cutoff,
});

/**
 * Ends a run that got through every step: its report (its count changes counted once, so that no read of the run
 * counts them again), and the lease released in the same transaction.
 */
export async function succeedRun(run: RunTicket, now: Date): Promise<void> {
  if (run.undoId) return endUndo(run.runId, run.undoId, "succeeded", now);
  const [totals, notices, countChangesTotal] = await Promise.all([
    run.dryRun ? dryRunTotals(run.runId) : undefined,
    noticeTotals(run.runId),
    countCountChanges(run.runId),
  ]);
  await endRun(run.runId, "succeeded", now, totals, notices, countChangesTotal);
}

/**
 * Ends a run that failed (the lease released with it); what it began is finished by the next run. Its count
 * changes are counted if they can be: a failure to count them must not keep the lease (reads then count them).
 */
export async function failRun(run: RunTicket, now: Date): Promise<void> {
  if (run.undoId) return endUndo(run.runId, run.undoId, "failed", now);
  const countChangesTotal = await countCountChanges(run.runId).catch(() => undefined);
  await endRun(run.runId, "failed", now, undefined, undefined, countChangesTotal);
}

/**
 * POST /admin/cleanup-runs/{runId}/restore (contract 1.2): an operator undoes a run. The undo takes the runs' lock
 * (409 while any run or undo is under way) and is handed to the configured runner: the cleanup's state machine, whose
 * steps restore every account the run deactivated and that is not purged. An undo interrupted before (failed) is
 * resumed with its own ID, so its history points stay one per account for the whole undo. 202 with the run; 404 for
 * an unknown run.
 */
export async function requestUndo(
  caller: Caller,
  runId: string,
  start: (run: RunTicket) => Promise<void>,
  now = new Date(),
): Promise<Run> {
  const stored = await getRunUndo(runId);
  // The contract's order: an unknown run is 404 before the caller's missing profile (403 profile_required).
  if (!stored) throw notFound("The cleanup run");
  requireProfile(caller);
  if (stored.status === "running") throw cleanupAlreadyRunning();
  const undoId = stored.undo && stored.undo.status !== "succeeded" ? stored.undo.undoId : ulid(now.getTime());
  try {
    await createUndoWithLease(runId, undoId, now, config.CLEANUP_LEASE_SECONDS);
  } catch (error) {
    if (error instanceof CleanupAlreadyRunning) throw cleanupAlreadyRunning();
    throw error;
  }
  const run = await getRun(runId);
  const ticket: RunTicket = { ...ticketOf(run!), undoId };
  try {
    await start(ticket);
  } catch (error) {
    await failRun(ticket, new Date());
    throw error;
  }
  return run!;
}

/** POST /admin/cleanup-runs: begins a run and hands it to the configured runner; 202 with the run. */
export async function requestCleanupRun(
  caller: Caller,
  input: { dryRun?: boolean | undefined; cutoff?: string | undefined },
  start: (run: RunTicket) => Promise<void>,
  now = new Date(),
): Promise<Run> {
  requireProfile(caller);
  const run = await beginRun(runRequest(input, now), now);
  try {
    await start(ticketOf(run));
  } catch (error) {
    await failRun(ticketOf(run), new Date());
    throw error;
  }
  return run;
}
