import { toDryTouchedItem } from "./entities/dry-run-scratch";
import { fromTouchedRecord, toTouchedAccountItem, type TouchedAccount } from "./entities/touched-account";
import { cleanupKeys, collections, type ItemCollection, type ItemKey } from "./keys";
import { putItem, unlessConditionFails } from "./requests";
import { queryPage } from "./query";
import { deleteOf, type TransactItem } from "./transactions";

// Touched accounts: surviving accounts whose counts a deletion is about to change (or a restore to raise), recorded
// with their counts before it, so that the recount recomputes them and reports the change (docs/data-model.md, K8,
// K11 and K22). A real run records them in `CLEANUP#TOUCHED` (so a run that died leaves them to the next run's
// recount), a dry run in its own partition, a restore (or an undo) in its touched set.

export type { TouchedAccount };

/** Which touched records: a real run's (shared by every run), a dry run's, or a restore's (or an undo's). */
export type TouchedSet = "run" | { dryRun: string } | { restore: string };

const touchedKey = (userId: string, set: TouchedSet): ItemKey =>
  set === "run"
    ? cleanupKeys.touched(userId)
    : "dryRun" in set
      ? cleanupKeys.dryTouched(set.dryRun, userId)
      : cleanupKeys.restoreTouched(set.restore, userId);

const touchedRecords = (set: TouchedSet): ItemCollection =>
  set === "run"
    ? collections.touchedAccounts()
    : "dryRun" in set
      ? collections.dryTouched(set.dryRun)
      : collections.restoreTouched(set.restore);

/** Records a touch with the counts as they are now, unless one is recorded already (then the older counts stay). */
export async function recordTouched(touched: TouchedAccount, set: TouchedSet, now: Date): Promise<void> {
  const item =
    set !== "run" && "dryRun" in set
      ? toDryTouchedItem(set.dryRun, touched, now)
      : toTouchedAccountItem(touchedKey(touched.userId, set), touched);
  await unlessConditionFails(putItem(item, { ConditionExpression: "attribute_not_exists(pk)" }));
}

/** The next touched accounts to recount (1 Query; recounted ones are deleted, so this is always the first page). */
export async function touchedPage(set: TouchedSet, limit: number): Promise<TouchedAccount[]> {
  return (await queryPage(touchedRecords(set), fromTouchedRecord, { limit })).items;
}

/** The Delete of a touched account's record, for the recount's transaction. */
export function deleteTouched(userId: string, set: TouchedSet): TransactItem {
  return deleteOf(touchedKey(userId, set));
}
