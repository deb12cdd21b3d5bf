// The items of a second chance (docs/data-model.md, "A second chance" and "the follower outlook"):
//   a dormant relation's index item   DORMANT#<holder>     FOLLOW#<followId>          how its holder finds it again
//   an outlook entry                  OUTLOOK#<followee>   AT#<t>#<follower>          a follower under notice
//   a dormant account                 CLEANUP#DORMANT      UNTIL#<graceUntil>#USER#<id>  what a run purges, when
//   a restoring account               CLEANUP#RESTORING    USER#<id>                   what the restore sweep goes on with
//   an account a run deactivated      CLEANUP#RUN#<runId>  DEACTIVATED#<id>            what an undo of the run restores
// An outlook sync, CLEANUP#OUTLOOK USER#<id> (a sync of outlook entries cut short), is outlook-sync.ts.
import type { FollowRelation } from "../../domain/follow";
import { attributesOf, isEntity, projectionOf, type RawItem } from "../attributes";
import { cleanupKeys, entityTypes, keys, type ItemKey } from "../keys";

export interface DormantRelationItem extends ItemKey, FollowRelation {
  entityType: typeof entityTypes.dormantRelation;
}

export function toDormantRelationItem(holderId: string, relation: FollowRelation): DormantRelationItem {
  return {
    ...keys.dormantRelation(holderId, relation.followId),
    entityType: entityTypes.dormantRelation,
    followerId: relation.followerId,
    followeeId: relation.followeeId,
    followId: relation.followId,
    followedAt: relation.followedAt,
  };
}

/** The relation a dormant relation's index item names; null when the item is not one. */
export function fromDormantRelationItem(item: RawItem | undefined): FollowRelation | null {
  if (!isEntity(item, entityTypes.dormantRelation)) return null;
  const attributes = attributesOf(item, entityTypes.dormantRelation);
  return {
    followerId: attributes.string("followerId"),
    followeeId: attributes.string("followeeId"),
    followId: attributes.string("followId"),
    followedAt: attributes.string("followedAt"),
  };
}

export interface OutlookEntry {
  followeeId: string;
  followerId: string;
  /** The follower's earliest possible deactivation. */
  at: string;
}

export interface OutlookEntryItem extends ItemKey, OutlookEntry {
  entityType: typeof entityTypes.outlookEntry;
}

export function toOutlookEntryItem(entry: OutlookEntry): OutlookEntryItem {
  return {
    ...keys.outlookEntry(entry.followeeId, entry.at, entry.followerId),
    entityType: entityTypes.outlookEntry,
    ...entry,
  };
}

export function fromOutlookEntryItem(item: RawItem | undefined): OutlookEntry | null {
  if (!isEntity(item, entityTypes.outlookEntry)) return null;
  const attributes = attributesOf(item, entityTypes.outlookEntry);
  return {
    followeeId: attributes.string("followeeId"),
    followerId: attributes.string("followerId"),
    at: attributes.string("at"),
  };
}

export interface DormantAccountItem extends ItemKey {
  entityType: typeof entityTypes.dormantAccount;
  userId: string;
  graceUntil: string;
}

export function toDormantAccountItem(userId: string, graceUntil: string): DormantAccountItem {
  return { ...cleanupKeys.dormant(graceUntil, userId), entityType: entityTypes.dormantAccount, userId, graceUntil };
}

/** The account a dormant account's entry names (K26). */
export const dormantAccount = {
  projection: projectionOf(["userId", "graceUntil"]),
  read: (item: RawItem): { userId: string; graceUntil: string } => {
    const attributes = attributesOf(item, entityTypes.dormantAccount);
    return { userId: attributes.string("userId"), graceUntil: attributes.string("graceUntil") };
  },
};

/** A restore under way, as its registry entry holds it (the account's profile holds the same in `restoring`). */
export interface RestoringAccount {
  userId: string;
  restoreId: string;
  /** Where the restore's touched accounts are recorded: the restore's own ID, or the undo's. */
  touchedSet: string;
  /** The comments are restored up to this comment ID (absent: none yet). */
  commentsAfter?: string;
}

export interface RestoringAccountItem extends ItemKey, RestoringAccount {
  entityType: typeof entityTypes.restoringAccount;
}

export function toRestoringAccountItem(restoring: RestoringAccount): RestoringAccountItem {
  return { ...cleanupKeys.restoring(restoring.userId), entityType: entityTypes.restoringAccount, ...restoring };
}

export function fromRestoringAccountItem(item: RawItem | undefined): RestoringAccount | null {
  if (!isEntity(item, entityTypes.restoringAccount)) return null;
  const attributes = attributesOf(item, entityTypes.restoringAccount);
  const commentsAfter = attributes.optionalString("commentsAfter");
  return {
    userId: attributes.string("userId"),
    restoreId: attributes.string("restoreId"),
    touchedSet: attributes.string("touchedSet"),
    ...(commentsAfter === undefined ? {} : { commentsAfter }),
  };
}

export interface DeactivatedByRunItem extends ItemKey {
  entityType: typeof entityTypes.deactivatedByRun;
  userId: string;
  runId: string;
}

export const toDeactivatedByRunItem = (runId: string, userId: string): DeactivatedByRunItem => ({
  ...cleanupKeys.deactivatedBy(runId, userId),
  entityType: entityTypes.deactivatedByRun,
  userId,
  runId,
});

/** The account a registry item of the second chance names (outlook syncs, a run's deactivated accounts). */
export const registeredAccount = {
  projection: projectionOf(["userId"]),
  read: (item: RawItem): string => attributesOf(item, "registry entry").string("userId"),
};
