import { toDryTouchedItem } from "./entities/dry-run-scratch";
import { fromTouchedRecord, toTouchedAccountItem, type TouchedAccount } from "./entities/touched-account";
import { cleanupKeys, collections } from "./keys";
import { putItem, unlessConditionFails } from "./requests";
import { queryPage } from "./query";
import { deleteOf, type TransactItem } from "./transactions";

// Touched accounts: surviving accounts whose counts a deletion is about to change, recorded with their counts
// before it, so that the recount recomputes them and reports the change (docs/data-model.md, K8 and K11). A real
// run records them in `CLEANUP#TOUCHED` (so a run that died leaves them to the next run's recount), a dry run in
// its own partition.

export type { TouchedAccount };

const touchedKey = (userId: string, dryRunId: string | null) =>
  dryRunId ? cleanupKeys.dryTouched(dryRunId, userId) : cleanupKeys.touched(userId);

/** Records a touch with the counts as they are now, unless one is recorded already (then the older counts stay). */
export async function recordTouched(touched: TouchedAccount, dryRunId: string | null, now: Date): Promise<void> {
  const item = dryRunId ? toDryTouchedItem(dryRunId, touched, now) : toTouchedAccountItem(touched);
  await unlessConditionFails(putItem(item, { ConditionExpression: "attribute_not_exists(pk)" }));
}

/** The next touched accounts to recount (1 Query; recounted ones are deleted, so this is always the first page). */
export async function touchedPage(dryRunId: string | null, limit: number): Promise<TouchedAccount[]> {
  const records = dryRunId ? collections.dryTouched(dryRunId) : collections.touchedAccounts();
  return (await queryPage(records, fromTouchedRecord, { limit })).items;
}

/** The Delete of a touched account's record, for the recount's transaction. */
export function deleteTouched(userId: string, dryRunId: string | null): TransactItem {
  return deleteOf(touchedKey(userId, dryRunId));
}
