import type { CountChange, FollowerHistoryPoint } from "../domain/cleanup";
import { keysOnly, readKey } from "./attributes";
import { fromFollowerHistoryPointItem, toFollowerHistoryPointItem } from "./entities/follower-history-point";
import { cleanupKeys, collections, type ItemKey } from "./keys";
import { queryPage } from "./query";
import { putOf, type TransactItems } from "./transactions";

// An account's public follower history: a point per run that changed its follower count, written by the recount
// (cleanup-run-store.ts, recordCountChange). docs/data-model.md, K6.

/** A page of an account's follower history, newest first (1 Query). */
export async function listFollowerHistory(
  userId: string,
  limit: number,
  after?: string,
): Promise<{ points: FollowerHistoryPoint[]; nextAfter: string | null }> {
  const page = await queryPage(collections.followerHistoryOf(userId), fromFollowerHistoryPointItem, {
    newestFirst: true,
    limit: limit + 1,
    ...(after ? { startAfter: cleanupKeys.historyPoint(userId, after) } : {}),
  });
  const points = page.items.slice(0, limit);
  return { points, nextAfter: page.items.length > limit ? points.at(-1)!.runId : null };
}

/** Up to `limit` keys of an account's history points (1 Query): what its deletion deletes. */
export async function historyKeysOf(userId: string, limit: number): Promise<ItemKey[]> {
  return (await queryPage(collections.followerHistoryOf(userId), readKey, { projection: keysOnly, limit })).items;
}

/**
 * The history point of an operator's recount (`npm run audit -- --fix`) that corrected a drifted follower count,
 * as a transaction item to join the recount's own transaction; `auditId` stands in the point's `runId`.
 */
export function recountPointItems(auditId: string, change: CountChange, at: string): TransactItems {
  return [putOf(toFollowerHistoryPointItem(auditId, change, at, "recount"))];
}

/**
 * The history point of a restore (a sign-in's, or an undo's for the whole undo) that raised a follower count, as a
 * transaction item; the restore's (or the undo's) ID stands in the point's `runId`.
 */
export function restorePointItems(restoreId: string, change: CountChange, at: string): TransactItems {
  return [putOf(toFollowerHistoryPointItem(restoreId, change, at, "accounts_restored"))];
}
