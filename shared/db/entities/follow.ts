// A follow is three small items written in one transaction with both counts (docs/data-model.md, "follow"):
//   the relation      USER#<follower>       FOLLOWS#<followee>   found by its pair
//   a follower row    FOLLOWERS#<followee>  FOLLOWER#<followId>  the followee's follower list, by time
//   a following row   FOLLOWING#<follower>  FOLLOWING#<followId> the follower's following list, by time
// All three carry the same four attributes, so any one of them gives the keys of the other two.
import type { FollowRelation } from "../../domain/follow";
import { attributesOf, isEntity, projectionOf, type RawItem } from "../attributes";
import { entityTypes, keys, type ItemKey } from "../keys";

type FollowEntity = typeof entityTypes.follow | typeof entityTypes.followerEntry | typeof entityTypes.followingEntry;

interface FollowItemOf<T extends FollowEntity> extends ItemKey, FollowRelation {
  entityType: T;
}

export interface FollowItem extends FollowItemOf<typeof entityTypes.follow> {
  /** The deactivated account whose deactivation made the relation dormant (its rows are gone, it counts nowhere). */
  dormantUnder?: string;
  /** The follower is under notice: the relation's entry in the followee's outlook is at this time. */
  outlookAt?: string;
}
export type FollowerEntryItem = FollowItemOf<typeof entityTypes.followerEntry>;
export type FollowingEntryItem = FollowItemOf<typeof entityTypes.followingEntry>;

/** The three items of a follow: the relation, the follower row, the following row. */
export function toFollowItems(relation: FollowRelation): [FollowItem, FollowerEntryItem, FollowingEntryItem] {
  const fields: FollowRelation = {
    followerId: relation.followerId,
    followeeId: relation.followeeId,
    followId: relation.followId,
    followedAt: relation.followedAt,
  };
  return [
    { ...keys.follow(relation.followerId, relation.followeeId), entityType: entityTypes.follow, ...fields },
    { ...keys.followerEntry(relation.followeeId, relation.followId), entityType: entityTypes.followerEntry, ...fields },
    {
      ...keys.followingEntry(relation.followerId, relation.followId),
      entityType: entityTypes.followingEntry,
      ...fields,
    },
  ];
}

const followEntities: readonly unknown[] = [entityTypes.follow, entityTypes.followerEntry, entityTypes.followingEntry];

/** The relation any of a follow's three items holds; null when the item is none of them. */
export function fromFollowItem(item: RawItem | undefined): FollowRelation | null {
  if (!item || !followEntities.includes(item.entityType)) return null;
  const attributes = attributesOf(item, entityTypes.follow);
  return {
    followerId: attributes.string("followerId"),
    followeeId: attributes.string("followeeId"),
    followId: attributes.string("followId"),
    followedAt: attributes.string("followedAt"),
  };
}

/** A relation item as stored: the relation, whether it is dormant (and under whom), its outlook entry's time. */
export interface RelationState {
  relation: FollowRelation;
  dormantUnder: string | null;
  outlookAt: string | null;
}

/** The state a relation item holds; null when the item is not a relation (its rows are not). */
export function fromRelationItem(item: RawItem | undefined): RelationState | null {
  if (!isEntity(item, entityTypes.follow)) return null;
  const attributes = attributesOf(item, entityTypes.follow);
  return {
    relation: fromFollowItem(item)!,
    dormantUnder: attributes.optionalString("dormantUnder") ?? null,
    outlookAt: attributes.optionalString("outlookAt") ?? null,
  };
}

/** What the feed needs of a following row (FD1): whom, and since when. */
export const followee = {
  projection: projectionOf(["followeeId", "followedAt"]),
  read: (item: RawItem): { followeeId: string; followedAt: string } => {
    const attributes = attributesOf(item, entityTypes.followingEntry);
    return { followeeId: attributes.string("followeeId"), followedAt: attributes.string("followedAt") };
  },
};
