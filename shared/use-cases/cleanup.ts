import { countCommentIndexEntries, markAccountDeletion } from "../db/account-deletion-store";
import { accountExists, getStoredAccountState, type StoredAccountState } from "../db/account-store";
import { inactivePage, pendingPage, queuedPage } from "../db/cleanup-candidate-store";
import {
  CleanupAlreadyRunning,
  countChangesPage,
  countCountChanges,
  createRunWithLease,
  endRun,
  getRun,
  listRuns,
  recordCountChange,
  renewLease,
  runExists,
} from "../db/cleanup-run-store";
import { dryEdgeItems, dryLostFollowers, dryRunTotals, recordWouldDelete, wouldDelete } from "../db/dry-run-store";
import { allFollowers, allFollowing, countFollowers } from "../db/follow-store";
import { listFollowerHistory } from "../db/follower-history-store";
import { clearSchedule, noticeTotals, tally } from "../db/notice-store";
import { dropPendingDeletion } from "../db/pending-deletion-store";
import { deleteTouched, recordTouched, touchedPage, type TouchedAccount } from "../db/touched-account-store";
import { transactWrite } from "../db/transactions";
import { config } from "../config";
import type { Caller } from "../domain/account";
import {
  intoBatches,
  monthsThrough,
  resolveCutoff,
  type CandidateCursor,
  type CountChange,
  type FollowerHistoryPoint,
  type Run,
  type RunTicket,
} from "../domain/cleanup";
import {
  decideSchedule,
  isExemptFromDeletion,
  type ScheduleDecision,
  type ScheduledNotice,
} from "../domain/deletion-schedule";
import { cleanupAlreadyRunning, DomainError, notFound, validationFailed } from "../errors";
import { ulid } from "../ids";
import { logger } from "../logger";
import { recordBusinessMetric } from "../metrics";
import * as z from "zod/mini";
import { cursorAfterUlid, decodeCursor, encodeCursor, ulidAfter } from "../pagination";
import type { ListQuery } from "../schemas/common";
import { deleteMarkedAccount, forgetTouchesOfRun, type DeletionSteps } from "./account-deletion";
import { recountAccount } from "./account-recount";
import { requireProfile } from "./caller";
import { configuredMailer, deliverQueuedNotice, sendNotice, type MailerSource } from "./notices";

// The cleanup of inactive accounts as steps: begin (lease + run record), find candidates page by page, process
// batches of candidates, recount what the deletions touched, end (report + lease release in one transaction).
// AWS runs the steps in a Step Functions state machine (functions/scheduled/*, infra/constructs/cleanup-workflow.ts);
// the local server and `npm run cleanup` run the very same steps one after another (runToCompletion).

/** Candidates per page of the search: one Map state's worth of batches. */
const CANDIDATE_PAGE_SIZE = 200;
/** Candidates per batch: what one processing step (one Lambda invocation) starts with. */
const CANDIDATE_BATCH_SIZE = 20;
/** Touched accounts one recount round reads. */
const RECOUNT_PAGE_SIZE = 25;
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
 * The lastActiveAt below which an account is a candidate: the cutoff, widened by the longest notice lead, so that
 * accounts are found (and warned) a whole schedule before they could be deleted.
 */
function candidateBound(cutoff: string): string {
  const longest = config.DELETION_NOTICE_LEADS[0];
  return longest ? new Date(Date.parse(cutoff) + longest.ms).toISOString() : cutoff;
}

/**
 * The next page of candidates: first every pending deletion (so a run that died is finished first, whatever its
 * cutoff), then every account with a notice in the outbox (so a notice recorded by a run that died goes out, or is
 * dropped when withdrawn), then the sparse inactivity index month by month up to the candidate bound's month,
 * `lastActiveAt < cutoff + the longest lead`. Renews the lease.
 */
export async function findCandidates(
  run: RunTicket,
  cursor: CandidateCursor | null,
  now: Date,
): Promise<CandidatePage> {
  await renewLease(run.runId, now, config.CLEANUP_LEASE_SECONDS);
  const bound = candidateBound(run.cutoff);
  const months = monthsThrough(bound, FIRST_ACTIVITY_MONTH);
  let position: CandidateCursor | null = cursor ?? { phase: "pending" };
  const found: string[] = [];
  while (position && found.length < CANDIDATE_PAGE_SIZE) {
    const limit = CANDIDATE_PAGE_SIZE - found.length;
    const current: CandidateCursor = position;
    if (current.phase === "inactive") {
      const month = months[current.month];
      if (month === undefined) {
        position = null;
        break;
      }
      const page = await inactivePage(month, bound, limit, current.after);
      found.push(...page.userIds);
      position = page.next ? { ...current, after: page.next } : { phase: "inactive", month: current.month + 1 };
    } else {
      const page = await (current.phase === "pending" ? pendingPage : queuedPage)(limit, current.after);
      found.push(...page.userIds);
      position = page.next
        ? { phase: current.phase, after: page.next }
        : current.phase === "pending"
          ? { phase: "outbox" }
          : { phase: "inactive", month: 0 };
    }
  }
  if (position?.phase === "inactive" && position.month >= months.length) position = null;
  // An account can be listed twice (pending or queued, and still in the lagging index): processing it is idempotent.
  return { batches: intoBatches([...new Set(found)], CANDIDATE_BATCH_SIZE), cursor: position };
}

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

/** The rule's view of one account in this run. */
function decide(
  state: StoredAccountState,
  notices: readonly ScheduledNotice[],
  run: RunTicket,
  now: Date,
): ScheduleDecision {
  return decideSchedule(
    { lastActiveAt: state.account.lastActiveAt, exempt: isExemptFromDeletion(state.account, now), notices },
    { leads: config.DELETION_NOTICE_LEADS, cutoff: run.cutoff, now },
  );
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

/**
 * Applies the notice schedule to one account of a real run: a notice its crashed predecessor left queued goes out
 * first; a withdrawn schedule is cleared (and the account judged again, from scratch); a due notice is recorded
 * and delivered; a deferred deletion is tallied. Answers the schedule when the account is to be deleted, else null.
 */
async function applySchedule(
  state: StoredAccountState,
  run: RunTicket,
  now: Date,
  mailer: MailerSource,
): Promise<ScheduledNotice[] | null> {
  let notices = state.notices;
  if (notices.length > 0 && notices.at(-1)!.sentAt === undefined) {
    notices = await deliverQueuedNotice(state, isExemptFromDeletion(state.account, now), now, mailer);
  }
  let decision = decide(state, notices, run, now);
  if (decision.action === "withdraw") {
    if (!(await clearSchedule({ ...state, notices }))) return null;
    notices = [];
    decision = decide(state, notices, run, now);
  }
  if (decision.action === "delete") return notices;
  const recorded =
    decision.action === "notify" && (await sendNotice({ ...state, notices }, decision, run.runId, now, mailer));
  if ((recorded || decision.action === "defer") && "deletionDeferred" in decision && decision.deletionDeferred) {
    await tally("deferred", run.runId, state.account.userId, now);
  }
  return null;
}

/**
 * Dry run: what processing the candidate would do, written only to the run's own (expiring) items: the notice it
 * would record or the deletion it would defer, or whether the account would be deleted, its relations, the
 * followers others would lose, its comments. It sends nothing.
 */
async function dryRunCandidate(run: RunTicket, userId: string, now: Date): Promise<"done"> {
  const state = await getStoredAccountState(userId);
  if (!state) return "done";
  if (!state.deletion) {
    let decision = decide(state, state.notices, run, now);
    if (decision.action === "withdraw") decision = decide(state, [], run, now);
    if (decision.action === "notify") await tally("notice", run.runId, userId, now);
    if ("deletionDeferred" in decision && decision.deletionDeferred) await tally("deferred", run.runId, userId, now);
    if (decision.action !== "delete") return "done";
  }
  const touched = new Set<string>();
  for await (const page of allFollowing(userId)) {
    for (const relation of page) {
      if (!touched.has(relation.followeeId)) {
        touched.add(relation.followeeId);
        const followee = await getStoredAccountState(relation.followeeId);
        if (followee && !followee.deletion) {
          const { followerCount, followingCount } = followee.account;
          await recordTouched(
            { userId: relation.followeeId, followerBefore: followerCount, followingBefore: followingCount },
            run.runId,
            now,
          );
        }
      }
      await transactWrite(
        dryEdgeItems(run.runId, relation.followId, { userId: relation.followeeId, followerId: userId }, now),
      );
    }
  }
  for await (const page of allFollowers(userId)) {
    for (const relation of page) await transactWrite(dryEdgeItems(run.runId, relation.followId, null, now));
  }
  await recordWouldDelete(run.runId, userId, await countCommentIndexEntries(userId), now);
  return "done";
}

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
  while (Date.now() <= deadline) {
    const page = await touchedPage(run.dryRun ? run.runId : null, RECOUNT_PAGE_SIZE);
    if (page.length === 0) return { done: true };
    for (const touched of page) {
      try {
        await (run.dryRun ? dryRecount(run, touched, now) : recount(run, touched, now));
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

async function recount(run: RunTicket, touched: TouchedAccount, now: Date): Promise<void> {
  await recountAccount(touched.userId, (recount) => {
    const change = recount && {
      userId: touched.userId,
      before: touched.followerBefore,
      after: recount.counted.followers,
    };
    return [
      ...(change && change.before !== change.after
        ? recordCountChange(run.runId, change, now.toISOString(), true)
        : []),
      deleteTouched(touched.userId, null),
    ];
  });
}

async function dryRecount(run: RunTicket, touched: TouchedAccount, now: Date): Promise<void> {
  if (await wouldDelete(run.runId, touched.userId)) {
    await transactWrite([deleteTouched(touched.userId, run.runId)]);
    return;
  }
  const [followers, lost] = await Promise.all([
    countFollowers(touched.userId),
    dryLostFollowers(run.runId, touched.userId),
  ]);
  const change = { userId: touched.userId, before: touched.followerBefore, after: followers - lost };
  await transactWrite([
    ...(change.before !== change.after ? recordCountChange(run.runId, change, now.toISOString(), false) : []),
    deleteTouched(touched.userId, run.runId),
  ]);
}

/**
 * Ends a run that got through every step: its report (its count changes counted once, so that no read of the run
 * counts them again), and the lease released in the same transaction.
 */
export async function succeedRun(run: RunTicket, now: Date): Promise<void> {
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
  const countChangesTotal = await countCountChanges(run.runId).catch(() => undefined);
  await endRun(run.runId, "failed", now, undefined, undefined, countChangesTotal);
}

/** The steps of a run, each a Lambda function of its own in AWS (infra/constructs/cleanup-workflow.ts). */
export type CleanupStepName = "begin" | "findCandidates" | "processBatch" | "recount" | "finish";

/** Runs one step's work; a host that plays Step Functions runs it as that step's function. */
export type StepInvoker = <T>(step: CleanupStepName, work: () => Promise<T>) => Promise<T>;
const inline: StepInvoker = (_step, work) => work();

export interface StepClock {
  /** The time each step sees (tests move it). */
  now(): Date;
  /** How long one processing or recount step may work before handing over. */
  budgetMs: number;
}

const systemClock: StepClock = { now: () => new Date(), budgetMs: 60_000 };

/**
 * Runs every step of a begun run in this process, one after another, as the state machine runs them in AWS;
 * on failure the run is marked failed and the lease released (what the state machine's Catch does).
 */
export async function runToCompletion(
  run: RunTicket,
  clock: StepClock = systemClock,
  invoke: StepInvoker = inline,
  mailer: MailerSource = configuredMailer,
): Promise<void> {
  try {
    let cursor: CandidateCursor | null = null;
    do {
      const page: CandidatePage = await invoke("findCandidates", () => findCandidates(run, cursor, clock.now()));
      for (const batch of page.batches) {
        let remaining = batch;
        while (remaining.length > 0) {
          remaining = (
            await invoke("processBatch", () => processBatch(run, remaining, clock.now(), clock.budgetMs, mailer))
          ).remaining;
        }
      }
      cursor = page.cursor;
    } while (cursor);
    while (!(await invoke("recount", () => recountStep(run, clock.now(), clock.budgetMs))).done);
    await invoke("finish", () => succeedRun(run, clock.now()));
  } catch (error) {
    logger.error("cleanup run failed", { runId: run.runId, error });
    await invoke("finish", () => failRun(run, clock.now())).catch((failure: unknown) =>
      logger.error("could not mark the cleanup run failed", { runId: run.runId, error: failure }),
    );
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The routes' reads

/** GET /admin/cleanup-runs/{runId} */
export async function readRun(runId: string): Promise<Run> {
  const run = await getRun(runId);
  if (!run) throw notFound("The cleanup run");
  return run;
}

/** GET /admin/cleanup-runs: newest first. */
export async function runsPage(query: ListQuery): Promise<{ items: Run[]; nextCursor: string | null }> {
  const after = ulidAfter("cleanup-runs", query.cursor);
  const page = await listRuns(query.limit, after);
  return { items: page.runs, nextCursor: cursorAfterUlid("cleanup-runs", page.nextAfter) };
}

/** The position of a run's count changes: the user ID the page ended with. */
const afterUserIdSchema = z.strictObject({ after: z.string().check(z.minLength(1)) });

/**
 * GET /admin/cleanup-runs/{runId}/count-changes: all of a run's count changes, by user ID; 404 for an unknown run
 * (after a bad cursor's 400: the request itself comes first).
 */
export async function countChangesOfRun(
  runId: string,
  query: ListQuery,
): Promise<{ items: CountChange[]; nextCursor: string | null }> {
  const scope = `count-changes:${runId}`;
  const after = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor, afterUserIdSchema).after;
  const [exists, page] = await Promise.all([runExists(runId), countChangesPage(runId, query.limit, after)]);
  if (!exists) throw notFound("The cleanup run");
  return {
    items: page.changes,
    nextCursor: page.nextAfter === null ? null : encodeCursor(scope, { after: page.nextAfter }),
  };
}

/** GET /users/{userId}/follower-history: newest first; 404 for an unknown user. */
export async function followerHistoryOf(
  userId: string,
  query: ListQuery,
): Promise<{ items: FollowerHistoryPoint[]; nextCursor: string | null }> {
  const scope = `follower-history:${userId}`;
  const after = ulidAfter(scope, query.cursor);
  const [exists, page] = await Promise.all([accountExists(userId), listFollowerHistory(userId, query.limit, after)]);
  if (!exists) throw notFound("The user");
  return { items: page.points, nextCursor: cursorAfterUlid(scope, page.nextAfter) };
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
