// A touched account: a surviving account whose counts a real run's deletions changed (`CLEANUP#TOUCHED`,
// `USER#<userId>`), or whose counts a restore raised (`CLEANUP#RESTORE#<touchedSet>`, `USER#<userId>`), with its
// counts before the first of those changes; the recount (or the restore's end) reads it and deletes the record. A dry
// run keeps its own touched records among its scratch items (./dry-run-scratch.ts).
import { attributesOf, type RawItem } from "../attributes";
import { entityTypes, type ItemKey } from "../keys";

export interface TouchedAccount {
  userId: string;
  /** The stored counts before the first deletion that touched the account. */
  followerBefore: number;
  followingBefore: number;
}

export interface TouchedAccountItem extends ItemKey, TouchedAccount {
  entityType: typeof entityTypes.touchedAccount;
}

/** A touched account's record under `key` (a run's touched set, or a restore's). */
export function toTouchedAccountItem(key: ItemKey, touched: TouchedAccount): TouchedAccountItem {
  return { ...key, entityType: entityTypes.touchedAccount, ...touched };
}

/** The touched account a record holds (a real run's, or a dry run's scratch record of one). */
export function fromTouchedRecord(item: RawItem): TouchedAccount {
  const attributes = attributesOf(item, entityTypes.touchedAccount);
  return {
    userId: attributes.string("userId"),
    followerBefore: attributes.number("followerBefore"),
    followingBefore: attributes.number("followingBefore"),
  };
}
