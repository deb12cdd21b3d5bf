// The one module that spells storage keys. Every key prefix names the entity it holds, so a key read in
// the console tells what it is. docs/data-model.md is the design these builders implement.

export interface ItemKey {
  pk: string;
  sk: string;
}

export const entityTypes = {
  account: "account",
  followerCountShard: "followerCountShard",
  handle: "handle",
  follow: "follow",
  followerEntry: "followerEntry",
  followingEntry: "followingEntry",
} as const;

const userPartition = (userId: string) => `USER#${userId}`;
const shardNumber = (shard: number) => String(shard).padStart(2, "0");

/**
 * Sort-key prefix of every item that makes up the account itself: the profile and its follower-count shards.
 * One Query (`begins_with(sk, "PROFILE")`) reads them all; whoever deletes an account deletes them together.
 */
export const ACCOUNT_ITEMS_PREFIX = "PROFILE";

/** Sort-key prefixes of the rows of the two lists (a list partition holds nothing else). */
export const FOLLOWER_ENTRY_PREFIX = "FOLLOWER#";
export const FOLLOWING_ENTRY_PREFIX = "FOLLOWING#";

export const keys = {
  /** An account's profile, counts, role, entitlements and activity. */
  account: (userId: string): ItemKey => ({ pk: userPartition(userId), sk: "PROFILE" }),
  /** One of the items an account's follower count is spread over (its count adds to the profile's). */
  followerCountShard: (userId: string, shard: number): ItemKey => ({
    pk: userPartition(userId),
    sk: `PROFILE#FOLLOWER_COUNT#${shardNumber(shard)}`,
  }),
  /** Claims a handle (lower-cased) for one account, which makes handles unique case-insensitively. */
  handle: (handle: string): ItemKey => ({ pk: `HANDLE#${handle.toLowerCase()}`, sk: "HANDLE" }),
  /** The follow relation itself, found by its pair: "does follower follow followee". */
  follow: (followerId: string, followeeId: string): ItemKey => ({
    pk: userPartition(followerId),
    sk: `FOLLOWS#${followeeId}`,
  }),
  /** A row of the followee's follower list; the follow ID (a ULID) orders the list by time. */
  followerEntry: (followeeId: string, followId: string): ItemKey => ({
    pk: followersPartition(followeeId),
    sk: `${FOLLOWER_ENTRY_PREFIX}${followId}`,
  }),
  /** A row of the follower's following list, ordered by time like the follower list. */
  followingEntry: (followerId: string, followId: string): ItemKey => ({
    pk: followingPartition(followerId),
    sk: `${FOLLOWING_ENTRY_PREFIX}${followId}`,
  }),
};

/** The partition of an account: profile, follower-count shards and the follow relations it made. */
export const accountPartition = userPartition;
/** The partition that lists the followers of one account, one row per follower. */
export const followersPartition = (userId: string): string => `FOLLOWERS#${userId}`;
/** The partition that lists the accounts one account follows. */
export const followingPartition = (userId: string): string => `FOLLOWING#${userId}`;

/** Partition of the sparse inactivity index: one per calendar month of `lastActiveAt`. */
export const inactivityPartition = (lastActiveAt: string): string => `ACTIVE#${lastActiveAt.slice(0, 7)}`;
