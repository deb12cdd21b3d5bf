import type { FieldProblem } from "../errors";
import { unexpiredEntitlements, type Entitlement } from "./entitlements";
import type { Role } from "./roles";

// The rules of the cleanup of inactive accounts (contract: "Cleanup of inactive accounts"), as plain functions:
// who is a candidate, which cutoff a run uses, and which count changes a run reports. No storage here.

/** A surviving account whose follower count a run changed: stored before the run touched it, and recounted. */
export interface CountChange {
  userId: string;
  before: number;
  after: number;
}

/** A run leaves `running` only once a new run may start. */
export type RunStatus = "running" | "succeeded" | "failed";

/** A cleanup run as the API shows it (contract: Run); in a dry run, the figures say what a real run would do. */
export interface Run {
  runId: string;
  status: RunStatus;
  dryRun: boolean;
  cutoff: string;
  startedAt: string;
  finishedAt?: string;
  accountsDeleted: number;
  followEdgesDeleted: number;
  commentsAnonymized: number;
  noticesSent: number;
  deletionsDeferred: number;
  /** Contract 1.2: accounts the run deactivated, purged (of earlier runs) and that came back whole. */
  accountsDeactivated: number;
  accountsPurged: number;
  accountsRestored: number;
  /** An operator's undo of the run, once asked for. */
  undo?: { status: RunStatus; startedAt: string; finishedAt?: string };
  /** Its first COUNT_CHANGES_IN_RUN count changes, by user ID (contract 1.2). */
  countChanges: CountChange[];
  /** How many count changes it made, listed or not. */
  countChangesTotal: number;
}

/** Why a follower history point was added (contract 1.1, "Why a count changed"; 1.2 adds `accounts_restored`). */
export const followerHistoryReasons = ["inactive_accounts_deleted", "recount", "accounts_restored"] as const;

/** A change of an account's follower count, and why: `runId` names the cleanup run (or audit) that made it. */
export interface FollowerHistoryPoint {
  at: string;
  runId: string;
  before: number;
  after: number;
  reason: (typeof followerHistoryReasons)[number];
}

/** What a run's steps carry from one to the next (small: it travels through Step Functions' state). */
export interface RunTicket {
  runId: string;
  dryRun: boolean;
  cutoff: string;
  /** An operator's undo of the run `runId` (contract 1.2), not the run itself: its steps restore what the run deactivated. */
  undoId?: string;
}

/**
 * Where a run's search for candidates goes on: the pending deletions (after one account), the queued notices
 * (after one account), then month after month
 * of the inactivity index (after one account's place in it). Positions, never storage keys: it travels through
 * Step Functions' state.
 */
export type CandidateCursor =
  | { phase: "pending" | "outbox" | "outlook"; after?: string }
  | { phase: "dormant"; after?: DormantPosition }
  | { phase: "inactive"; month: number; after?: InactivityPosition }
  /** An undo's search: the accounts the undone run deactivated. */
  | { phase: "deactivated"; after?: string };

/** A dormant account's place among those a run purges: by the end of its grace, then its ID. */
export interface DormantPosition {
  userId: string;
  graceUntil: string;
}

/** An account's place in the inactivity index: by its last activity, then its ID. */
export interface InactivityPosition {
  userId: string;
  lastActiveAt: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The default cutoff: `inactiveAfterDays` before `now`. */
export function defaultCutoff(now: Date, inactiveAfterDays: number): string {
  return new Date(now.getTime() - inactiveAfterDays * DAY_MS).toISOString();
}

/**
 * The cutoff a run uses: the one asked for (an ISO time, normalised to UTC with milliseconds), else the default.
 * A cutoff after `now` would delete accounts active right now: a problem for the `cutoff` field (400).
 */
export function resolveCutoff(
  requested: string | undefined,
  now: Date,
  inactiveAfterDays: number,
): { cutoff: string } | { problem: FieldProblem } {
  if (requested === undefined) return { cutoff: defaultCutoff(now, inactiveAfterDays) };
  const time = Date.parse(requested);
  if (Number.isNaN(time)) return { problem: { field: "cutoff", message: "must be an ISO-8601 time" } };
  if (time > now.getTime()) return { problem: { field: "cutoff", message: "must not be in the future" } };
  return { cutoff: new Date(time).toISOString() };
}

/** What the candidate rule needs to know about an account. */
export interface CandidateFacts {
  role: Role;
  lastActiveAt: string;
  entitlements: readonly Entitlement[];
}

/**
 * May the account be deleted for inactivity: a reader (authors and admins never are), last active before the
 * cutoff, holding no entitlement that is unexpired at `now`. Times compare as instants.
 */
export function isDeletionCandidate(account: CandidateFacts, cutoff: string, now: Date): boolean {
  return (
    account.role === "reader" &&
    Date.parse(account.lastActiveAt) < Date.parse(cutoff) &&
    unexpiredEntitlements(account.entitlements, now).length === 0
  );
}

/**
 * How many count changes a Run carries itself (contract 1.2): its first ones by user ID; `countChangesTotal` says
 * how many there are, and `GET /admin/cleanup-runs/{runId}/count-changes` pages through all of them.
 */
export const COUNT_CHANGES_IN_RUN = 100;

/**
 * The count changes a run reports: every surviving account whose follower count differs between before the
 * run touched it and its recount, in user-ID order.
 */
export function countChangesOf(recounts: readonly CountChange[]): CountChange[] {
  return recounts
    .filter((recount) => recount.before !== recount.after)
    .map(({ userId, before, after }) => ({ userId, before, after }))
    .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}

/**
 * The calendar months (`yyyy-mm`) from `firstMonth` through the cutoff's month: the partitions of the sparse
 * inactivity index a run reads. Later months only hold accounts active at or after the cutoff.
 */
export function monthsThrough(cutoff: string, firstMonth: string): string[] {
  const last = cutoff.slice(0, 7);
  const months: string[] = [];
  let [year, month] = firstMonth.split("-").map(Number) as [number, number];
  for (let guard = 0; guard < 12 * 200; guard++) {
    const current = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;
    if (current > last) break;
    months.push(current);
    month++;
    if (month > 12) {
      month = 1;
      year++;
    }
  }
  return months;
}

/** Splits candidates into batches of at most `size`, keeping their order. */
export function intoBatches<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}
