import type { DormantPosition, InactivityPosition } from "../domain/cleanup";
import { attributesOf, projectionOf, type Projection, type RawItem } from "./attributes";
import { pendingAccount } from "./entities/pending-deletion";
import { queuedNoticeAccount } from "./entities/queued-notice";
import { dormantAccount, registeredAccount } from "./entities/second-chance";
import {
  cleanupKeys,
  collections,
  entityTypes,
  inactivityIndexKey,
  inactivityPartition,
  type ItemCollection,
  ranges,
  type ItemKey,
} from "./keys";
import { queryPage } from "./query";

// The search for a run's candidates: pending deletions first, then queued notices, then the sparse inactivity index
// month by month.
// Each page answers where the next one goes on as a position (an account), never as a key. docs/data-model.md,
// K4 and K5.

/** A page of the accounts one cleanup collection names (1 consistent Query), and the account to go on after. */
async function accountsPage(
  collection: ItemCollection,
  account: { projection: Projection; read: (item: RawItem) => string },
  keyOf: (userId: string) => ItemKey,
  limit: number,
  after?: string,
): Promise<{ userIds: string[]; next?: string }> {
  const page = await queryPage(collection, account.read, {
    projection: account.projection,
    limit,
    ...(after === undefined ? {} : { startAfter: keyOf(after) }),
  });
  const last = page.items.at(-1);
  return { userIds: page.items, ...(page.next && last !== undefined ? { next: last } : {}) };
}

/** A page of pending deletions (K4): accounts whose deletion began and is not finished. */
export const pendingPage = (limit: number, after?: string) =>
  accountsPage(collections.pendingDeletions(), pendingAccount, cleanupKeys.pending, limit, after);

/** A page of accounts with a notice in the outbox (K13): the search's second phase. */
export const queuedPage = (limit: number, after?: string) =>
  accountsPage(collections.queuedNotices(), queuedNoticeAccount, cleanupKeys.queuedNotice, limit, after);

/** A page of accounts whose follower-outlook sync was cut short (`CLEANUP#OUTLOOK`). */
export const outlookSyncPage = (limit: number, after?: string) =>
  accountsPage(collections.outlookSyncs(), registeredAccount, cleanupKeys.outlookSync, limit, after);

/** A page of the accounts a run deactivated: what an undo of the run restores. */
export const deactivatedByPage = (runId: string, limit: number, after?: string) =>
  accountsPage(
    collections.deactivatedBy(runId),
    registeredAccount,
    (userId) => cleanupKeys.deactivatedBy(runId, userId),
    limit,
    after,
  );

/** A page of dormant accounts whose grace ended before `now` (K26: 1 consistent Query), and where to go on. */
export async function dormantPastGracePage(
  now: string,
  limit: number,
  after?: DormantPosition,
): Promise<{ userIds: string[]; next?: DormantPosition }> {
  const page = await queryPage(ranges.dormantUntil(now), dormantAccount.read, {
    projection: dormantAccount.projection,
    limit,
    ...(after ? { startAfter: cleanupKeys.dormant(after.graceUntil, after.userId) } : {}),
  });
  const last = page.items.at(-1);
  return { userIds: page.items.map((entry) => entry.userId), ...(page.next && last ? { next: last } : {}) };
}

const inactiveAccount = {
  projection: projectionOf(["userId", "inactivitySk"]),
  read: (item: RawItem): InactivityPosition => {
    const attributes = attributesOf(item, entityTypes.account);
    return { userId: attributes.string("userId"), lastActiveAt: attributes.string("inactivitySk") };
  },
};

/**
 * A page of one month's partition of the sparse inactivity index with `lastActiveAt` before the cutoff (1 Query
 * on the GSI, eventually consistent: every candidate is read again, strongly, before anything is decided).
 */
export async function inactivePage(
  month: string,
  cutoff: string,
  limit: number,
  after?: InactivityPosition,
): Promise<{ userIds: string[]; next?: InactivityPosition }> {
  const page = await queryPage(
    { index: "inactivity", partition: inactivityPartition(`${month}-01`), below: cutoff },
    inactiveAccount.read,
    {
      projection: inactiveAccount.projection,
      limit,
      ...(after ? { startAfter: inactivityIndexKey(after.userId, after.lastActiveAt) } : {}),
    },
  );
  const last = page.items.at(-1);
  return { userIds: page.items.map((account) => account.userId), ...(page.next && last ? { next: last } : {}) };
}
