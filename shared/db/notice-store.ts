import type { StoredAccountState } from "./account-store";
import type { NoticeDelivery, ScheduleEntry, StoredNotice } from "./entities/account";
import {
  fromQueuedNoticeItem,
  toQueuedNoticeItem,
  type StoredQueuedNotice,
  type QueuedNoticeRecord,
} from "./entities/queued-notice";
import { toRunTallyItem, type TallyKind } from "./entities/run-tally";
import { toOutlookSyncItem } from "./entities/second-chance";
import { cleanupKeys, collections, keys } from "./keys";
import { countItems } from "./query";
import { deleteItem, getItem, putItem, unlessConditionFails } from "./requests";
import { deleteOf, putOf, unlessCancelled, updateOf } from "./transactions";

// The notices before deletion (docs/data-model.md, "Notices before deletion"): the schedule on the account's
// profile item, the outbox (one queued notice per account at most), and the run's tallies. A notice is recorded
// with its queued notice (what its message is composed from) in one transaction, and its delivery recorded with the
// outbox item's deletion in another, so a crash in between leaves the queued notice for the next step to deliver, once.

export type { NoticeDelivery, StoredQueuedNotice, QueuedNoticeRecord, ScheduleEntry };

/** Which queued notice a settlement or a drop is about: its account and its record time. */
type QueuedNoticeRef = Pick<StoredQueuedNotice, "userId" | "recordedAt">;

/** Condition that the stored schedule still has `length` notices (0: none runs). */
export const scheduleLengthIs = (length: number): string =>
  length === 0 ? "attribute_not_exists(noticeSchedule)" : "size(noticeSchedule) = :notices";

/** What must still hold of the account when a run writes to its schedule: what the run read. */
function unchangedSince(state: StoredAccountState) {
  const length = state.notices.length;
  return {
    ConditionExpression:
      "attribute_exists(pk) AND attribute_not_exists(deletion) AND lastActiveAt = :lastActiveAt AND " +
      `#role = :role AND entitlements = :entitlements AND ${scheduleLengthIs(length)}`,
    ExpressionAttributeNames: { "#role": "role" },
    values: {
      ":lastActiveAt": state.account.lastActiveAt,
      ":role": state.account.role,
      ":entitlements": state.account.entitlements,
      ...(length > 0 ? { ":notices": length } : {}),
    },
  };
}

/**
 * Records a notice: appends it to the account's schedule (starting the schedule with its first notice), queues it
 * in the outbox (the facts its message is composed from) and tallies it for the run, in ONE transaction, conditioned on the account being as the
 * run read it (same activity, role, entitlements and schedule length). False when it changed meanwhile: nothing
 * was written.
 */
export function recordNotice(
  state: StoredAccountState,
  queued: QueuedNoticeRecord,
  outlookAt: string,
  now: Date,
): Promise<boolean> {
  const condition = unchangedSince(state);
  const notice: StoredNotice = { lead: queued.lead, recordedAt: queued.recordedAt };
  return unlessCancelled([
    updateOf(keys.account(state.account.userId), {
      // The account is under notice from here on: its followees' outlooks are to show it at `outlookAt` (the sync
      // that follows moves its relations' entries there).
      UpdateExpression:
        "SET noticeSchedule = list_append(if_not_exists(noticeSchedule, :none), :notice), " +
        "noticesPendingSince = if_not_exists(noticesPendingSince, :recordedAt), " +
        "outlookAt = :outlookAt, outlookDirty = :true",
      ConditionExpression: condition.ConditionExpression,
      ExpressionAttributeNames: condition.ExpressionAttributeNames,
      ExpressionAttributeValues: {
        ...condition.values,
        ":none": [],
        ":notice": [notice],
        ":recordedAt": queued.recordedAt,
        ":outlookAt": outlookAt,
        ":true": true,
      },
    }),
    putOf(toQueuedNoticeItem(queued), { ConditionExpression: "attribute_not_exists(pk)" }),
    putOf(toRunTallyItem("notice", queued.runId, state.account.userId, now)),
    putOf(toOutlookSyncItem(state.account.userId)),
  ]);
}

/**
 * Clears a withdrawn schedule (activity or an exemption) and drops its queued notice, if any, in one transaction,
 * conditioned on the schedule the run read. False when the account changed meanwhile.
 */
export function clearSchedule(state: StoredAccountState): Promise<boolean> {
  const length = state.notices.length;
  // Still in followees' outlooks (a withdrawal the account's own request did not sync): out of them, by a sync due.
  const inOutlook = state.outlook.at !== null;
  return unlessCancelled([
    updateOf(keys.account(state.account.userId), {
      UpdateExpression: `REMOVE noticeSchedule, noticesPendingSince${inOutlook ? ", outlookAt SET outlookDirty = :true" : ""}`,
      ConditionExpression: `attribute_exists(pk) AND ${scheduleLengthIs(length)}`,
      ...(length > 0 || inOutlook
        ? {
            ExpressionAttributeValues: {
              ...(length > 0 ? { ":notices": length } : {}),
              ...(inOutlook ? { ":true": true } : {}),
            },
          }
        : {}),
    }),
    deleteOf(cleanupKeys.queuedNotice(state.account.userId)),
    ...(inOutlook ? [putOf(toOutlookSyncItem(state.account.userId))] : []),
  ]);
}

/** The account's queued notice, or null (1 consistent GetItem). */
export function getQueuedNotice(userId: string): Promise<StoredQueuedNotice | null> {
  return getItem(cleanupKeys.queuedNotice(userId), fromQueuedNoticeItem);
}

/**
 * Records how a queued notice's delivery settled: its schedule entry (the last one, recorded at the queued
 * notice's time) gets `sentAt` and `delivery`, and the outbox item goes, in one transaction. When the schedule no
 * longer holds the entry (withdrawn meanwhile), only the outbox item goes. Answers whether the entry was written.
 */
export async function settleNotice(
  queued: QueuedNoticeRef,
  position: number,
  delivery: NoticeDelivery,
  sentAt: string,
): Promise<boolean> {
  const outboxItem = deleteOf(cleanupKeys.queuedNotice(queued.userId), {
    ConditionExpression: "recordedAt = :recordedAt",
    ExpressionAttributeValues: { ":recordedAt": queued.recordedAt },
  });
  const settled = await unlessCancelled([
    updateOf(keys.account(queued.userId), {
      UpdateExpression: `SET noticeSchedule[${position}].sentAt = :sentAt, noticeSchedule[${position}].delivery = :delivery`,
      ConditionExpression: `attribute_exists(pk) AND size(noticeSchedule) = :notices AND noticeSchedule[${position}].recordedAt = :recordedAt`,
      ExpressionAttributeValues: {
        ":sentAt": sentAt,
        ":delivery": delivery,
        ":notices": position + 1,
        ":recordedAt": queued.recordedAt,
      },
    }),
    outboxItem,
  ]);
  if (!settled) await dropQueuedNotice(queued);
  return settled;
}

/** Drops a queued notice whose schedule was withdrawn or whose account is gone (only that very notice). */
export async function dropQueuedNotice(queued: QueuedNoticeRef): Promise<void> {
  // Already gone, or a newer notice of a new schedule: neither is ours to drop (the condition fails).
  await unlessConditionFails(
    deleteItem(cleanupKeys.queuedNotice(queued.userId), {
      ConditionExpression: "recordedAt = :recordedAt",
      ExpressionAttributeValues: { ":recordedAt": queued.recordedAt },
    }),
  );
}

/** Counts an account once for the run (idempotent: a retried step counts nobody twice). */
export async function tally(kind: TallyKind, runId: string, userId: string, now: Date): Promise<void> {
  await putItem(toRunTallyItem(kind, runId, userId, now));
}

/** The run's notices recorded and deletions deferred, from its tallies (Select COUNT Queries, at the run's end). */
export async function noticeTotals(runId: string): Promise<{ noticesSent: number; deletionsDeferred: number }> {
  const [noticesSent, deletionsDeferred] = await Promise.all([
    countItems(collections.noticeTallies(runId)),
    countItems(collections.deferredTallies(runId)),
  ]);
  return { noticesSent, deletionsDeferred };
}
