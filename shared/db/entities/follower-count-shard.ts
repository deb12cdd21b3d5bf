// A follower-count shard: one of the items an account's follower count is spread over (`USER#<userId>`,
// `PROFILE#FOLLOWER_COUNT#<nn>`), so that concurrent follows of one author do not conflict on one item.
// docs/data-model.md, "Hot authors".
import { attributesOf, isEntity, type RawItem } from "../attributes";
import { COUNT_VERSION } from "../count-version";
import { entityTypes, keys, type ItemKey } from "../keys";

export interface FollowerCountShardItem extends ItemKey {
  entityType: typeof entityTypes.followerCountShard;
  userId: string;
  shard: number;
  count: number;
  /** The count guard: every write of `count` adds one (../count-version.ts); absent on shards written before. */
  countVersion?: number;
  /** Followers under notice counted on this shard (the follower outlook: summed over the shards like `count`). */
  underNotice?: number;
}

/** A shard of a new account, at zero. */
export function toFollowerCountShardItem(userId: string, shard: number): FollowerCountShardItem {
  return {
    ...keys.followerCountShard(userId, shard),
    entityType: entityTypes.followerCountShard,
    userId,
    shard,
    count: 0,
  };
}

/** A shard as stored: its number, its count, the count's version and its followers under notice (absent: 0). */
export interface StoredShard {
  userId: string;
  shard: number;
  count: number;
  countVersion: number;
  underNotice: number;
}

/** A shard as stored (StoredShard); null when the item is not a shard. */
export function fromFollowerCountShardItem(item: RawItem | undefined): StoredShard | null {
  if (!isEntity(item, entityTypes.followerCountShard)) return null;
  const attributes = attributesOf(item, entityTypes.followerCountShard);
  return {
    userId: attributes.string("userId"),
    shard: attributes.number("shard"),
    count: attributes.number("count"),
    countVersion: attributes.optionalNumber(COUNT_VERSION) ?? 0,
    underNotice: attributes.optionalNumber("underNotice") ?? 0,
  };
}
