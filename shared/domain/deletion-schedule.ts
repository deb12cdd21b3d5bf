import { unexpiredEntitlements, type Entitlement } from "./entitlements";
import { parseIsoDuration, type Duration } from "./iso-duration";
import { mayBeDeletedForInactivity, type Role } from "./roles";

// The notice schedule before an inactive account is deleted (contract: "Notice before deletion"), as plain
// functions. A run asks `decideSchedule` once per account; storage and mail are elsewhere.
//
// In data terms:
// - An account's schedule is the list of notices recorded for it since it last fell inactive, oldest first. A
//   notice is recorded (`recordedAt`) together with its queued message, and goes out when its delivery settles
//   (`sentAt`: the mail service accepted it, or it proved undeliverable). Gaps and the last lead count from
//   `sentAt`, so a notice stuck waiting to go out never shortens anybody's warning: the schedule waits for it.
// - The schedule starts at its first notice's `recordedAt`. Activity withdraws it when `lastActiveAt` is at or
//   after that instant: every signed-in request made after the schedule started writes `lastActiveAt` (see
//   `activityMustBeWritten`), so "any signed-in request" and "lastActiveAt ≥ start" are the same thing.
// - An exemption (role author or admin, an unexpired entitlement) seen by a run withdraws it too.
// - A withdrawn schedule is cleared; the next time the account falls inactive, it starts over at the first lead.
// - Each notice carries its lead as written (`P30D`), so a change of DELETION_NOTICE_LEADS between runs never
//   sends a notice out of order: the next notice is the longest configured lead shorter than the last one sent.

/** A notice of the account's current schedule. */
export interface ScheduledNotice {
  lead: Duration;
  /** When the run recorded it (and queued its message). */
  recordedAt: string;
  /** When it went out (delivered, or found undeliverable); absent while it waits to go out (queued). */
  sentAt?: string;
}

/** What the rule needs to know about one account. */
export interface ScheduleFacts {
  lastActiveAt: string;
  /** Exempt from deletion now: see `isExemptFromDeletion`. */
  exempt: boolean;
  /** The current schedule, oldest first (empty when none runs). */
  notices: readonly ScheduledNotice[];
}

/** What the rule needs to know about the run. */
export interface ScheduleRun {
  /** DELETION_NOTICE_LEADS: longest first (empty: no notices, the version 1 behaviour). */
  leads: readonly Duration[];
  /** The run's cutoff: accounts last active before it are inactive. */
  cutoff: string;
  now: Date;
}

export type ScheduleDecision =
  /** Record the notice with this lead now (and queue its message). */
  | { action: "notify"; lead: Duration; leadIndex: number; deletionNotBefore: string; deletionDeferred: boolean }
  /** Delete the account: every notice went out, in order, and the last lead has passed. */
  | { action: "delete" }
  /** Clear the schedule: the account was active after it started, or is exempt now. */
  | { action: "withdraw"; reason: "activity" | "exemption" }
  /** Nothing to do in this run. */
  | { action: "defer"; reason: "exempt" | "not-due" | "delivery-pending"; deletionDeferred: boolean };

/**
 * Exempt from deletion for inactivity: authors and admins, and holders of an entitlement unexpired at `now`.
 */
export function isExemptFromDeletion(
  account: { role: Role; entitlements: readonly Entitlement[] },
  now: Date,
): boolean {
  return !mayBeDeletedForInactivity(account.role) || unexpiredEntitlements(account.entitlements, now).length > 0;
}

/** When the account's current schedule started: its first notice's record time (undefined: none runs). */
export function scheduleStartedAt(notices: readonly ScheduledNotice[]): string | undefined {
  return notices[0]?.recordedAt;
}

/** Was the account active at or after its schedule started? */
export function activeSinceScheduleStarted(lastActiveAt: string, notices: readonly ScheduledNotice[]): boolean {
  const startedAt = scheduleStartedAt(notices);
  return startedAt !== undefined && Date.parse(lastActiveAt) >= Date.parse(startedAt);
}

/**
 * Must a signed-in request write its activity now, whatever the hour (contract: an account with notices pending
 * is marked active by its next signed-in request)? Yes while a schedule runs that no recorded activity withdrew.
 */
export function activityMustBeWritten(lastActiveAt: string, scheduleStart: string | undefined): boolean {
  return scheduleStart !== undefined && Date.parse(lastActiveAt) < Date.parse(scheduleStart);
}

/** The earliest instant a notice recorded at `recordedAt` with `lead` lets the account be deleted. */
export function deletionNotBefore(recordedAt: string, lead: Duration): string {
  return new Date(Date.parse(recordedAt) + lead.ms).toISOString();
}

/** The schedule as support staff see it: empty once withdrawn (by activity or an exemption), else newest first. */
export function scheduleInForce(facts: ScheduleFacts): ScheduledNotice[] {
  if (facts.exempt || activeSinceScheduleStarted(facts.lastActiveAt, facts.notices)) return [];
  return [...facts.notices].reverse();
}

/**
 * What a run does with one account (contract: "Notice before deletion"):
 * - a schedule withdrawn by activity or an exemption is cleared;
 * - notice i is due when `lastActiveAt` is earlier than the cutoff plus lead i and notice i−1 went out at least
 *   lead i−1 − lead i ago (notice 0: as soon as the first condition holds, so a backlog is warned first);
 * - the account is deleted once it is inactive (before the cutoff) and the last notice went out at least the
 *   last lead ago, so never sooner than a whole schedule after its first notice;
 * - with no leads, an inactive account is deleted at once (version 1).
 * `deletionDeferred` tells whether the account is inactive (a version 1 run would delete it): what a run counts
 * in `deletionsDeferred`.
 */
export function decideSchedule(account: ScheduleFacts, run: ScheduleRun): ScheduleDecision {
  const { notices } = account;
  if (notices.length > 0 && account.exempt) return { action: "withdraw", reason: "exemption" };
  if (activeSinceScheduleStarted(account.lastActiveAt, notices)) return { action: "withdraw", reason: "activity" };
  if (account.exempt) return { action: "defer", reason: "exempt", deletionDeferred: false };

  const now = run.now.getTime();
  const lastActive = Date.parse(account.lastActiveAt);
  const cutoff = Date.parse(run.cutoff);
  const inactive = lastActive < cutoff;
  const previous = notices.at(-1);
  if (previous !== undefined && previous.sentAt === undefined) {
    return { action: "defer", reason: "delivery-pending", deletionDeferred: inactive };
  }
  const wentOutAgo = previous?.sentAt === undefined ? Infinity : now - Date.parse(previous.sentAt);
  const leadIndex =
    previous === undefined
      ? run.leads.length > 0
        ? 0
        : -1
      : run.leads.findIndex((lead) => lead.ms < previous.lead.ms);

  if (leadIndex === -1) {
    const lastLeadPassed = previous === undefined || wentOutAgo >= previous.lead.ms;
    if (inactive && lastLeadPassed) return { action: "delete" };
    return { action: "defer", reason: "not-due", deletionDeferred: inactive };
  }
  const lead = run.leads[leadIndex]!;
  const withinLead = lastActive < cutoff + lead.ms;
  const gapPassed = previous === undefined || wentOutAgo >= previous.lead.ms - lead.ms;
  if (withinLead && gapPassed) {
    return {
      action: "notify",
      lead,
      leadIndex,
      deletionNotBefore: deletionNotBefore(run.now.toISOString(), lead),
      deletionDeferred: inactive,
    };
  }
  return { action: "defer", reason: "not-due", deletionDeferred: inactive };
}

/**
 * Reads DELETION_NOTICE_LEADS: ISO-8601 durations, comma-separated, longest first; the empty string means no
 * notices. Each must be strictly shorter than the one before it.
 */
/** The longest lead a setting may write (`P30D` takes 4; leading zeros make no lead longer). */
export const MAX_LEAD_LENGTH = 32;

export function parseNoticeLeads(text: string): { leads: Duration[] } | { problem: string } {
  if (text.trim() === "") return { leads: [] };
  const leads: Duration[] = [];
  for (const item of text.split(",").map((part) => part.trim())) {
    if (item === "") return { problem: "has an empty item (write e.g. P30D,P7D,P1D)" };
    // A notice's lead is shown as written (GET /admin/users/{userId}/notices): its answer stays bounded.
    if (item.length > MAX_LEAD_LENGTH) return { problem: `has a lead longer than ${MAX_LEAD_LENGTH} characters` };
    const parsed = parseIsoDuration(item);
    if ("problem" in parsed) return { problem: `${item} ${parsed.problem}` };
    const before = leads.at(-1);
    if (before && parsed.duration.ms >= before.ms) {
      return {
        problem: `must list the leads longest first, each shorter than the one before (${item} comes after ${before.text})`,
      };
    }
    leads.push(parsed.duration);
  }
  return { leads };
}
