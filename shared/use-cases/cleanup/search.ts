import {
  deactivatedByPage,
  dormantPastGracePage,
  inactivePage,
  outlookSyncPage,
  pendingPage,
  queuedPage,
} from "../../db/cleanup-candidate-store";
import { renewLease } from "../../db/cleanup-run-store";
import { config } from "../../config";
import { intoBatches, monthsThrough, type CandidateCursor, type RunTicket } from "../../domain/cleanup";

// The search for a run's candidates, page by page (each page: one Map state's worth of batches).

/** Candidates per page of the search: one Map state's worth of batches. */
const CANDIDATE_PAGE_SIZE = 200;
/** Candidates per batch: what one processing step (one Lambda invocation) starts with. */
const CANDIDATE_BATCH_SIZE = 20;
/**
 * The first month of the inactivity index a run reads: no account was active before the platform existed.
 * Each month up to the cutoff costs one (mostly empty) Query: 12 a year, whatever the number of accounts.
 */
const FIRST_ACTIVITY_MONTH = "2020-01";

export type { CandidateCursor };

export interface CandidatePage {
  batches: string[][];
  cursor: CandidateCursor | null;
}

/**
 * The lastActiveAt below which an account is a candidate: the cutoff, widened by the longest notice lead, so that
 * accounts are found (and warned) a whole schedule before they could be deleted.
 */
function candidateBound(cutoff: string): string {
  const longest = config.DELETION_NOTICE_LEADS[0];
  return longest ? new Date(Date.parse(cutoff) + longest.ms).toISOString() : cutoff;
}

/** The phases of a run's search, in order (an undo searches its run's deactivated accounts alone). */
const nextPhase: Record<"pending" | "outbox" | "outlook" | "dormant", CandidateCursor> = {
  pending: { phase: "outbox" },
  outbox: { phase: "outlook" },
  outlook: { phase: "dormant" },
  dormant: { phase: "inactive", month: 0 },
};

/**
 * The next page of candidates: first every pending deletion (so a run that died is finished first, whatever its
 * cutoff: deletions, deactivations and purges alike), then every account with a notice in the outbox (so a notice
 * recorded by a run that died goes out, or is dropped when withdrawn), then every account whose follower-outlook sync
 * was cut short, then every dormant account whose grace has passed (to purge it), then the sparse inactivity index
 * month by month up to the candidate bound's month, `lastActiveAt < cutoff + the longest lead`. An undo's search
 * pages through the accounts its run deactivated. Renews the lease.
 */
export async function findCandidates(
  run: RunTicket,
  cursor: CandidateCursor | null,
  now: Date,
): Promise<CandidatePage> {
  await renewLease(run.runId, now, config.CLEANUP_LEASE_SECONDS);
  const bound = candidateBound(run.cutoff);
  const months = monthsThrough(bound, FIRST_ACTIVITY_MONTH);
  let position: CandidateCursor | null = cursor ?? (run.undoId ? { phase: "deactivated" } : { phase: "pending" });
  const found: string[] = [];
  while (position && found.length < CANDIDATE_PAGE_SIZE) {
    const limit = CANDIDATE_PAGE_SIZE - found.length;
    const current: CandidateCursor = position;
    switch (current.phase) {
      case "inactive": {
        const month = months[current.month];
        if (month === undefined) {
          position = null;
          break;
        }
        const page = await inactivePage(month, bound, limit, current.after);
        found.push(...page.userIds);
        position = page.next ? { ...current, after: page.next } : { phase: "inactive", month: current.month + 1 };
        break;
      }
      case "dormant": {
        const page = await dormantPastGracePage(now.toISOString(), limit, current.after);
        found.push(...page.userIds);
        position = page.next ? { phase: "dormant", after: page.next } : nextPhase.dormant;
        break;
      }
      case "deactivated": {
        const page = await deactivatedByPage(run.runId, limit, current.after);
        found.push(...page.userIds);
        position = page.next ? { phase: "deactivated", after: page.next } : null;
        break;
      }
      default: {
        const read: typeof pendingPage = { pending: pendingPage, outbox: queuedPage, outlook: outlookSyncPage }[
          current.phase
        ];
        const page: { userIds: string[]; next?: string } = await read(limit, current.after);
        found.push(...page.userIds);
        position = page.next ? { phase: current.phase, after: page.next } : nextPhase[current.phase];
      }
    }
  }
  if (position?.phase === "inactive" && position.month >= months.length) position = null;
  // An account can be listed twice (pending or queued, and still in the lagging index): processing it is idempotent.
  return { batches: intoBatches([...new Set(found)], CANDIDATE_BATCH_SIZE), cursor: position };
}
