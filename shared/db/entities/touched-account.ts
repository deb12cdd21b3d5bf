// A touched account (`CLEANUP#TOUCHED`, `USER#<userId>`): a surviving account whose counts a real run's deletions
// changed, with its counts before the first of them; the recount recomputes it and deletes the record. A dry run
// keeps its own touched records among its scratch items (./dry-run-scratch.ts).
import { attributesOf, type RawItem } from "../attributes";
import { cleanupKeys, entityTypes, type ItemKey } from "../keys";

export interface TouchedAccount {
  userId: string;
  /** The stored counts before the first deletion that touched the account. */
  followerBefore: number;
  followingBefore: number;
}

export interface TouchedAccountItem extends ItemKey, TouchedAccount {
  entityType: typeof entityTypes.touchedAccount;
}

export function toTouchedAccountItem(touched: TouchedAccount): TouchedAccountItem {
  return { ...cleanupKeys.touched(touched.userId), entityType: entityTypes.touchedAccount, ...touched };
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
