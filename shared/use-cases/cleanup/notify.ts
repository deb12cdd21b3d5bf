import type { StoredAccountState } from "../../db/account-store";
import { clearSchedule, tally } from "../../db/notice-store";
import { config } from "../../config";
import type { RunTicket } from "../../domain/cleanup";
import {
  decideSchedule,
  isExemptFromDeletion,
  type ScheduleDecision,
  type ScheduledNotice,
} from "../../domain/deletion-schedule";
import { deliverQueuedNotice, sendNotice, type MailerSource } from "../notices";
import { syncOutlook } from "../outlook";

// Notify: the notice schedule before deletion applied to one candidate of a run (the rule itself is
// shared/domain/deletion-schedule.ts, the notices' records and mail shared/use-cases/notices.ts).

/** The rule's view of one account in this run. */
export function decide(
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

/**
 * Applies the notice schedule to one account of a real run: a notice its crashed predecessor left queued goes out
 * first; a withdrawn schedule is cleared (and the account judged again, from scratch; a sync takes it out of its
 * followees' outlooks); a due notice is recorded and delivered; a deferred deletion is tallied. Answers the schedule
 * when the account is to be deactivated (or deleted), `unfinished` when an outlook sync did not fit the deadline
 * (process the account again), else null.
 */
export async function applySchedule(
  state: StoredAccountState,
  run: RunTicket,
  now: Date,
  mailer: MailerSource,
  deadline: number,
): Promise<ScheduledNotice[] | null | "unfinished"> {
  let notices = state.notices;
  if (notices.length > 0 && notices.at(-1)!.sentAt === undefined) {
    const delivered = await deliverQueuedNotice(state, isExemptFromDeletion(state.account, now), now, mailer, deadline);
    if (delivered === "unsynced") return "unfinished";
    notices = delivered;
  }
  let decision = decide(state, notices, run, now);
  if (decision.action === "withdraw") {
    if (!(await clearSchedule({ ...state, notices }))) return null;
    // Out of the outlooks: the clearing just wrote the target none.
    if (state.outlook.at !== null && !(await syncOutlook(state.account.userId, deadline, { at: null }))) {
      return "unfinished";
    }
    notices = [];
    decision = decide(state, notices, run, now);
  }
  if (decision.action === "delete") return notices;
  // A notice's record tallies it and the deletion it defers in one write; a deferral alone is tallied here.
  const recorded =
    decision.action === "notify" &&
    (await sendNotice({ ...state, notices }, decision, run.runId, now, mailer, deadline));
  if (decision.action === "defer" && decision.deletionDeferred) {
    await tally(run.runId, state.account.userId, { deferred: true }, now);
  }
  return recorded === "unsynced" ? "unfinished" : null;
}
