import type { StoredAccountState } from "./account-store";
import type { NoticeDelivery, QueuedNotice, ScheduleEntry, StoredNotice } from "./entities/account";
import { fromQueuedNoticeItem, type OutboxNotice } from "./entities/queued-notice";
import { legacyTallyAccount, runTallyCounts, runTallyUpdate, type Tallies } from "./entities/run-tally";
import { toOutlookSyncItem } from "./entities/outlook-sync";
import { cleanupKeys, collections, keys } from "./keys";
import { queryAll } from "./query";
import { deleteItem, getItem, unlessConditionFails, updateItem } from "./requests";
import { deleteOf, putOf, unlessCancelled, updateOf } from "./transactions";

// The notices before deletion (docs/data-model.md, "Notices before deletion"): the schedule on the account's
// profile item, a notice waiting to go out queued on its own schedule entry (the facts its message is composed
// from), and the run's tally item per account. A notice is recorded with its facts and its tally in one transaction
// (2 items), and its delivery recorded by one conditional UpdateItem of the
// profile that also removes the facts, so a crash in between leaves the notice queued for the next step to deliver,
// once. An earlier release queued notices in an outbox item (`CLEANUP#OUTBOX`): read, settled and dropped here for
// one release.

export type { NoticeDelivery, OutboxNotice, QueuedNotice, ScheduleEntry };

/** Which queued notice a settlement or a drop is about: its account and its record time. */
type QueuedNoticeRef = Pick<QueuedNotice, "userId" | "recordedAt">;

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
 * Does a notice to be shown in the outlooks at `outlookAt` leave a sync to do? Not when the account is there already
 * (its target is that instant and no sync is due: every live relation it made is at it), e.g. a later notice whose
 * record time plus lead is the earlier one's.
 */
export const noticeMovesOutlook = (state: StoredAccountState, outlookAt: string): boolean =>
  state.outlook.dirty || state.outlook.at !== outlookAt;

/**
 * Records a notice: appends it to the account's schedule with its facts (queued: what its message is composed
 * from; starting the schedule with its first notice) and tallies it for the run (with the deletion it defers, if
 * it does), in ONE transaction, conditioned on the account being as the run read it (same activity, role,
 * entitlements and schedule length). False when it changed meanwhile: nothing was written.
 */
export function recordNotice(
  state: StoredAccountState,
  queued: QueuedNotice,
  run: { runId: string; deletionDeferred: boolean },
  outlookAt: string,
  now: Date,
): Promise<boolean> {
  const condition = unchangedSince(state);
  const notice: StoredNotice = { lead: queued.lead, recordedAt: queued.recordedAt, queued: queued.facts };
  const tally = runTallyUpdate(
    run.runId,
    state.account.userId,
    { notice: true, ...(run.deletionDeferred ? { deferred: true } : {}) },
    now,
  );
  // The account is under notice from here on: its followees' outlooks are to show it at `outlookAt` (the sync that
  // follows moves its relations' entries there), unless they show it there already (then no sync: the condition
  // holds it to the target and the done sync it read). No registry entry: a sync this leaves cut short is found
  // again through the inactivity index, where the notice keeps the account until activity (whose write registers the
  // sync it starts) or its deactivation (whose relations leave the outlook as they move).
  const moves = noticeMovesOutlook(state, outlookAt);
  return unlessCancelled([
    updateOf(keys.account(state.account.userId), {
      UpdateExpression:
        "SET noticeSchedule = list_append(if_not_exists(noticeSchedule, :none), :notice), " +
        "noticesPendingSince = if_not_exists(noticesPendingSince, :recordedAt)" +
        (moves ? ", outlookAt = :outlookAt, outlookDirty = :true" : ""),
      ConditionExpression:
        condition.ConditionExpression +
        (moves ? "" : " AND outlookAt = :outlookAt AND attribute_not_exists(outlookDirty)"),
      ExpressionAttributeNames: condition.ExpressionAttributeNames,
      ExpressionAttributeValues: {
        ...condition.values,
        ":none": [],
        ":notice": [notice],
        ":recordedAt": queued.recordedAt,
        ":outlookAt": outlookAt,
        ...(moves ? { ":true": true } : {}),
      },
    }),
    updateOf(tally.key, tally),
  ]);
}

/**
 * Clears a withdrawn schedule (activity or an exemption), and with it the facts of a notice still queued on it, in
 * one write, conditioned on the schedule the run read. False when the account changed meanwhile. (An earlier
 * release's outbox item was dropped before: `dropOutboxNotice`.)
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
    ...(inOutlook ? [putOf(toOutlookSyncItem(state.account.userId))] : []),
  ]);
}

/** The account's notice an earlier release left in the outbox, or null (1 consistent GetItem). */
export function getOutboxNotice(userId: string): Promise<OutboxNotice | null> {
  return getItem(cleanupKeys.queuedNotice(userId), fromQueuedNoticeItem);
}

/** The condition and update that record how the schedule entry at `position` (recorded at `recordedAt`) settled. */
function settlement(position: number, recordedAt: string, delivery: NoticeDelivery, sentAt: string) {
  return {
    ExpressionAttributeValues: {
      ":sentAt": sentAt,
      ":delivery": delivery,
      ":notices": position + 1,
      ":recordedAt": recordedAt,
    },
    condition: `attribute_exists(pk) AND size(noticeSchedule) = :notices AND noticeSchedule[${position}].recordedAt = :recordedAt`,
    set: `SET noticeSchedule[${position}].sentAt = :sentAt, noticeSchedule[${position}].delivery = :delivery`,
  };
}

/**
 * Records how a queued notice's delivery settled, in one conditional UpdateItem of the profile: its schedule entry
 * (the last one, recorded at the queued notice's time) gets `sentAt` and `delivery` and loses its facts. The
 * condition holds while the facts are there, so a notice settles once; false when the schedule no longer holds the
 * entry queued (withdrawn meanwhile: its facts went with it, or settled already).
 */
export function settleNotice(
  queued: QueuedNoticeRef,
  position: number,
  delivery: NoticeDelivery,
  sentAt: string,
): Promise<boolean> {
  const { condition, set, ExpressionAttributeValues } = settlement(position, queued.recordedAt, delivery, sentAt);
  return unlessConditionFails(
    updateItem(keys.account(queued.userId), {
      UpdateExpression: `${set} REMOVE noticeSchedule[${position}].queued`,
      ConditionExpression: `${condition} AND attribute_exists(noticeSchedule[${position}].queued)`,
      ExpressionAttributeValues,
    }),
  );
}

/**
 * Records how the delivery of a notice an earlier release left in the outbox settled: its schedule entry as
 * `settleNotice` does, and the outbox item's deletion, in one transaction (as that release did). When the schedule
 * no longer holds the entry (withdrawn meanwhile), only the outbox item goes. Answers whether the entry was written.
 */
export async function settleOutboxNotice(
  queued: QueuedNoticeRef,
  position: number,
  delivery: NoticeDelivery,
  sentAt: string,
): Promise<boolean> {
  const { condition, set, ExpressionAttributeValues } = settlement(position, queued.recordedAt, delivery, sentAt);
  const settled = await unlessCancelled([
    updateOf(keys.account(queued.userId), {
      UpdateExpression: set,
      ConditionExpression: condition,
      ExpressionAttributeValues,
    }),
    deleteOf(cleanupKeys.queuedNotice(queued.userId), {
      ConditionExpression: "recordedAt = :recordedAt",
      ExpressionAttributeValues: { ":recordedAt": queued.recordedAt },
    }),
  ]);
  if (!settled) await dropOutboxNotice(queued);
  return settled;
}

/** Drops an earlier release's queued notice whose schedule was withdrawn or whose account is gone (only that one). */
export async function dropOutboxNotice(queued: QueuedNoticeRef): Promise<void> {
  // Already gone, or a newer notice of a new schedule: neither is ours to drop (the condition fails).
  await unlessConditionFails(
    deleteItem(cleanupKeys.queuedNotice(queued.userId), {
      ConditionExpression: "recordedAt = :recordedAt",
      ExpressionAttributeValues: { ":recordedAt": queued.recordedAt },
    }),
  );
}

/** Counts an account once for the run (1 UpdateItem; idempotent: a retried step counts nobody twice). */
export async function tally(runId: string, userId: string, tallies: Tallies, now: Date): Promise<void> {
  const update = runTallyUpdate(runId, userId, tallies, now);
  await updateItem(update.key, update);
}

/**
 * The run's notices recorded and deletions deferred, from its tally items (a Query of them at the run's end), and
 * from an earlier release's items of a run that was under way at a deploy (one account counted once per kind).
 */
export async function noticeTotals(runId: string): Promise<{ noticesSent: number; deletionsDeferred: number }> {
  const [tallies, notices, deferrals] = await Promise.all([
    queryAll(collections.runTallies(runId), runTallyCounts.read, { projection: runTallyCounts.projection }),
    queryAll(collections.noticeTallies(runId), legacyTallyAccount.read, { projection: legacyTallyAccount.projection }),
    queryAll(collections.deferredTallies(runId), legacyTallyAccount.read, {
      projection: legacyTallyAccount.projection,
    }),
  ]);
  const noticed = new Set([...tallies.flatMap((t) => (t.notice ? [t.userId] : [])), ...notices]);
  const deferred = new Set([...tallies.flatMap((t) => (t.deferred ? [t.userId] : [])), ...deferrals]);
  return { noticesSent: noticed.size, deletionsDeferred: deferred.size };
}
