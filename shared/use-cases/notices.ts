import * as z from "zod/mini";
import { config } from "../config";
import { getStoredAccountState, type StoredAccountState } from "../db/account-store";
import {
  dropOutboxNotice,
  getOutboxNotice,
  noticeMovesOutlook,
  recordNotice,
  settleNotice,
  settleOutboxNotice,
  type OutboxNotice,
  type QueuedNotice,
  type ScheduleEntry,
} from "../db/notice-store";
import {
  activeSinceScheduleStarted,
  deletionNotBefore,
  isExemptFromDeletion,
  scheduleInForce,
  type ScheduleDecision,
} from "../domain/deletion-schedule";
import { untilDeadline } from "../deadline";
import { isoDuration } from "../domain/iso-duration";
import { notFound } from "../errors";
import type { NoticeDelivery } from "../mail/notice-delivery";
import type { NoticeLinks, NoticeMessage } from "../mail/notice-message";
import { recordBusinessMetric } from "../metrics";
import type { Notice } from "../schemas/cleanup";
import { decodeCursor, encodeCursor } from "../pagination";
import type { ListQuery } from "../schemas/common";
import { syncOutlook } from "./outlook";

const beforeSchema = z.strictObject({ before: z.iso.datetime() });

// The notices before deletion (contract: "Notice before deletion") as a run applies them: record a notice with the
// facts its message says (queued on its schedule entry), compose and deliver it and record how that settled, clear a
// withdrawn schedule; and the schedule as support staff see it. The rule itself is shared/domain/deletion-schedule.ts.

/** How notices reach people, and what every notice's text needs: given by the host (configured-delivery.ts). */
interface NoticeMailer {
  delivery: NoticeDelivery;
  links: NoticeLinks;
}

/** The mailer a step uses, resolved only when a notice is to go out (dry runs and runs without leads need none). */
export type MailerSource = () => Promise<NoticeMailer>;

/** The environment's mailer (MAIL_TRANSPORT): SES in AWS, SMTP to the local sink on a local host. */
export const configuredMailer: MailerSource = async () => {
  const { configuredNoticeDelivery, noticeLinks } = await import("../mail/configured-delivery");
  return { delivery: configuredNoticeDelivery(), links: noticeLinks };
};

/**
 * Records the notice a run decided on (with the facts its message says, queued on its schedule entry, and the run's
 * tally in the same transaction), brings the account's followees' outlooks to it (the sync, within `deadline`), and
 * delivers it. `false` when the account changed since it was read (nothing recorded: the next run decides again);
 * `unsynced` when the deadline came before the sync was done (the notice waits queued: the next step or run syncs
 * and delivers it).
 */
export async function sendNotice(
  state: StoredAccountState,
  decision: Extract<ScheduleDecision, { action: "notify" }>,
  runId: string,
  now: Date,
  mailer: MailerSource,
  deadline: number,
): Promise<boolean | "unsynced"> {
  const { account } = state;
  const queued: QueuedNotice = {
    userId: account.userId,
    lead: decision.lead.text,
    recordedAt: now.toISOString(),
    facts: {
      handle: account.handle,
      lastActiveAt: account.lastActiveAt,
      deletionNotBefore: decision.deletionNotBefore,
    },
  };
  // The mailer is resolved first: a host that cannot send (no delivery configured) records nothing.
  const resolved = await mailer();
  const run = { runId, deletionDeferred: decision.deletionDeferred };
  if (!(await recordNotice(state, queued, run, decision.deletionNotBefore, now))) return false;
  // Already in its followees' outlooks at this notice's time (recorded on that condition): nothing to sync.
  const moves = noticeMovesOutlook(state, decision.deletionNotBefore);
  // The target the record just wrote: the sync reads no account first.
  if (moves && !(await syncOutlook(account.userId, deadline, { at: decision.deletionNotBefore }))) return "unsynced";
  await deliverAndSettle({ queued, in: "profile" }, state.notices.length, account.emailClaim ?? null, resolved, now);
  return true;
}

/** A notice waiting to go out: queued on its schedule entry, or in an earlier release's outbox item. */
type Waiting = { queued: QueuedNotice; in: "profile" } | { queued: OutboxNotice; in: "outbox" };

/**
 * Delivers the account's queued notice, if its schedule still waits for it (a run or step that crashed after
 * recording it left it queued): sent once, then recorded. A queued notice whose schedule was withdrawn (activity,
 * an exemption) or whose account is being deleted is not sent (the clearing of the schedule takes its facts; an
 * earlier release's outbox item is dropped). Answers the schedule as it stands afterwards.
 */
export async function deliverQueuedNotice(
  state: StoredAccountState,
  exempt: boolean,
  now: Date,
  mailer: MailerSource,
  deadline: number,
): Promise<ScheduleEntry[] | "unsynced"> {
  // On the profile as read; else (one release) an earlier release's outbox item, read only for an unsent notice
  // without facts, which this release never records.
  const outbox = state.queuedNotice ? null : await getOutboxNotice(state.account.userId);
  const waiting: Waiting | null = state.queuedNotice
    ? { queued: state.queuedNotice, in: "profile" }
    : outbox && { queued: outbox, in: "outbox" };
  if (!waiting) return state.notices;
  const position = state.notices.length - 1;
  const entry = state.notices[position];
  const withdrawn = exempt || activeSinceScheduleStarted(state.account.lastActiveAt, state.notices);
  if (
    state.deletion ||
    withdrawn ||
    !entry ||
    entry.sentAt !== undefined ||
    entry.recordedAt !== waiting.queued.recordedAt
  ) {
    if (waiting.in === "outbox") await dropOutboxNotice(waiting.queued);
    return state.notices;
  }
  // The account's followees' outlooks show it before it is told (a sync a crash cut short goes on first).
  if (state.outlook.dirty && !(await syncOutlook(state.account.userId, deadline, state.outlook))) return "unsynced";
  const outcome = await deliverAndSettle(waiting, position, state.account.emailClaim ?? null, await mailer(), now);
  return outcome
    ? [...state.notices.slice(0, position), { ...entry, sentAt: now.toISOString(), delivery: outcome }]
    : state.notices;
}

/**
 * The message of a queued notice, composed when it is delivered: from the facts recorded with it, the deployment's
 * links and its second chance (the grace it runs with). A notice an earlier release queued with its composed
 * message is sent as it is. The composer (5.5 KB of texts) loads with the first notice a process sends, like the
 * mail clients, not with the batch step.
 */
async function queuedMessage(queued: QueuedNotice | OutboxNotice, links: NoticeLinks): Promise<NoticeMessage> {
  if ("message" in queued) return queued.message;
  const { composeNoticeMessage } = await import("../mail/notice-message");
  return composeNoticeMessage({ ...queued.facts, lead: isoDuration(queued.lead), ...secondChanceTerms(), ...links });
}

/**
 * The deployment's second chance (contract 1.2), as the letter states it: the grace after deactivation in which a
 * sign-in restores everything, and the handle's quarantine after the purge (none: the grace is P0D, 1.1's letter).
 */
function secondChanceTerms(): Pick<NoticeLinks, "grace"> {
  if (config.DEACTIVATION_GRACE.ms === 0) return {};
  const quarantine = config.HANDLE_QUARANTINE.ms > 0 ? config.HANDLE_QUARANTINE : null;
  return { grace: { duration: config.DEACTIVATION_GRACE, quarantine } };
}

async function deliverAndSettle(
  { queued, in: where }: Waiting,
  position: number,
  lastEmailClaim: string | null,
  { delivery, links }: NoticeMailer,
  now: Date,
): Promise<"sent" | "undeliverable" | null> {
  const message = await queuedMessage(queued, links);
  // A crash from here until the settlement below is the one window in which a notice can go out twice.
  const outcome = await delivery.deliver({ userId: queued.userId, lastEmailClaim, message }, untilDeadline());
  recordBusinessMetric(outcome === "sent" ? "NoticesSent" : "NoticesUndeliverable");
  const settle = where === "profile" ? settleNotice : settleOutboxNotice;
  return (await settle(queued, position, outcome, now.toISOString())) ? outcome : null;
}

/**
 * GET /admin/users/{userId}/notices: the account's current schedule, newest first; empty once withdrawn (by a
 * signed-in request or an exemption, even before a run has cleared it). A notice still queued shows once
 * its delivery settled (docs/api-notes.md). 404 for an unknown user. A read: the admin needs no profile (the
 * contract asks one before writes only).
 */
export async function noticesOf(
  userId: string,
  query: ListQuery,
  now = new Date(),
): Promise<{ items: Notice[]; nextCursor: string | null }> {
  const scope = `notices:${userId}`;
  const before = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor, beforeSchema).before;
  const state = await getStoredAccountState(userId);
  if (!state || state.deletion) throw notFound("The user");
  const { account } = state;
  const withdrawn =
    scheduleInForce({
      lastActiveAt: account.lastActiveAt,
      exempt: isExemptFromDeletion(account, now),
      notices: state.notices,
    }).length === 0;
  const items = (withdrawn ? [] : [...state.notices].reverse()).flatMap((notice): Notice[] =>
    notice.sentAt === undefined || notice.delivery === undefined
      ? []
      : [
          {
            lead: notice.lead.text,
            sentAt: notice.sentAt,
            deletionAfter: deletionNotBefore(notice.sentAt, notice.lead),
            delivery: notice.delivery,
          },
        ],
  );
  // Newest first; a page goes on before the last notice shown (a schedule holds a few notices: one per lead).
  const rest = before === undefined ? items : items.filter((notice) => notice.sentAt < before);
  const page = rest.slice(0, query.limit);
  return {
    items: page,
    nextCursor: rest.length > query.limit ? encodeCursor(scope, { before: page.at(-1)!.sentAt }) : null,
  };
}
