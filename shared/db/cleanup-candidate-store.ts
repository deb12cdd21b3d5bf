import type { InactivityPosition } from "../domain/cleanup";
import { attributesOf, projectionOf, type RawItem } from "./attributes";
import { pendingAccount } from "./entities/pending-deletion";
import { cleanupKeys, collections, entityTypes, inactivityIndexKey, inactivityPartition } from "./keys";
import { queryPage } from "./query";

// The search for a run's candidates: pending deletions first, then the sparse inactivity index month by month.
// Each page answers where the next one goes on as a position (an account), never as a key. docs/data-model.md,
// K4 and K5.

/** A page of pending deletions (1 consistent Query): accounts whose deletion began and is not finished. */
export async function pendingPage(limit: number, after?: string): Promise<{ userIds: string[]; next?: string }> {
  const page = await queryPage(collections.pendingDeletions(), pendingAccount.read, {
    projection: pendingAccount.projection,
    limit,
    ...(after === undefined ? {} : { startAfter: cleanupKeys.pending(after) }),
  });
  const last = page.items.at(-1);
  return { userIds: page.items, ...(page.next && last !== undefined ? { next: last } : {}) };
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
  const page = await queryPage({ index: "inactivity", partition: inactivityPartition(`${month}-01`), below: cutoff }, inactiveAccount.read, {
    projection: inactiveAccount.projection,
    limit,
    ...(after ? { startAfter: inactivityIndexKey(after.userId, after.lastActiveAt) } : {}),
  });
  const last = page.items.at(-1);
  return { userIds: page.items.map((account) => account.userId), ...(page.next && last ? { next: last } : {}) };
}
