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
  post: "post",
  comment: "comment",
  commentByWriter: "commentByWriter",
  idempotencyRecord: "idempotencyRecord",
  follow: "follow",
  followerEntry: "followerEntry",
  followingEntry: "followingEntry",
  rateCounter: "rateCounter",
  cleanupRun: "cleanupRun",
  cleanupLease: "cleanupLease",
  countChange: "countChange",
  pendingDeletion: "pendingDeletion",
  touchedAccount: "touchedAccount",
  dryRunScratch: "dryRunScratch",
  followerHistoryPoint: "followerHistoryPoint",
} as const;

/**
 * Sort-key prefixes inside a `USER#<userId>` partition. An author's posts and profile are read in one Query
 * over `POST#` .. `PROFILE` (descending: the profile first, then the posts newest first), so no other entity
 * may use a sort key between those two.
 */
export const sortKeyPrefixes = {
  post: "POST#",
  comment: "COMMENT#",
  idempotency: "IDEMPOTENCY#",
  /** Sorts after `PROFILE`, so outside the posts-and-profile range. */
  rateCounter: "RATE#",
} as const;

/** The sort-key range of `postsWithProfileOf`: every post of the partition and, last of all, its profile. */
export const postsAndProfileRange = { from: sortKeyPrefixes.post, to: "PROFILE" } as const;

/** The partition key of a user's items (profile, count shards, posts, follow relations, comment index entries, idempotency records). */
export const userPartition = (userId: string): string => `USER#${userId}`;
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
  /** A post, in its author's partition, so an author's posts newest first are one Query. */
  post: (authorId: string, postUlid: string): ItemKey => ({ pk: userPartition(authorId), sk: `${sortKeyPrefixes.post}${postUlid}` }),
  /** The partition that holds one post's comments, oldest first by ULID. */
  commentsOfPost: (postUlid: string): string => `POST#${postUlid}`,
  /** A comment, in its post's partition. */
  comment: (postUlid: string, commentUlid: string): ItemKey => ({
    pk: keys.commentsOfPost(postUlid),
    sk: `${sortKeyPrefixes.comment}${commentUlid}`,
  }),
  /**
   * The writer's index entry of a comment, in the writer's partition: it names the post, so every comment of
   * an account can be found (and anonymized) with a strongly consistent Query, without a scan or a GSI.
   */
  commentByWriter: (writerId: string, commentUlid: string): ItemKey => ({
    pk: userPartition(writerId),
    sk: `${sortKeyPrefixes.comment}${commentUlid}`,
  }),
  /**
   * An idempotency record: scoped to the caller (its partition) and the route, then the client's key. The key
   * comes last, so whatever characters it holds the three parts cannot be confused.
   */
  idempotency: (userId: string, route: string, key: string): ItemKey => ({
    pk: userPartition(userId),
    sk: `${sortKeyPrefixes.idempotency}${route}#${key}`,
  }),
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
  /**
   * A user's count of comments written in one rate-limit window (named by its start). It expires (TTL) once
   * its window is over; a new window is a new item, so an expired one that TTL has not removed yet is never read.
   */
  commentRateCounter: (userId: string, windowId: string): ItemKey => ({
    pk: userPartition(userId),
    sk: `${sortKeyPrefixes.rateCounter}COMMENTS#${windowId}`,
  }),
};

/** The partition that lists the followers of one account, one row per follower. */
export const followersPartition = (userId: string): string => `FOLLOWERS#${userId}`;
/** The partition that lists the accounts one account follows. */
export const followingPartition = (userId: string): string => `FOLLOWING#${userId}`;

/** Partition of the sparse inactivity index: one per calendar month of `lastActiveAt`. */
export const inactivityPartition = (lastActiveAt: string): string => `ACTIVE#${lastActiveAt.slice(0, 7)}`;

// The cleanup of inactive accounts (docs/data-model.md, "Cleanup"). Its items live in partitions of their own,
// never in a `USER#` partition, so no account read ever sees them.
export const cleanupKeys = {
  /** A run's record; `CLEANUP#RUNS` holds every run, newest last (run IDs are ULIDs). */
  run: (runId: string): ItemKey => ({ pk: "CLEANUP#RUNS", sk: `RUN#${runId}` }),
  runsPartition: "CLEANUP#RUNS",
  runPrefix: "RUN#",
  /** The one lease: whoever holds it (unexpired) is the run under way. */
  lease: (): ItemKey => ({ pk: "CLEANUP#LEASE", sk: "LEASE" }),
  /** The partition of one run's results (count changes) and, for a dry run, its scratch items. */
  runPartition: (runId: string): string => `CLEANUP#RUN#${runId}`,
  countChange: (runId: string, userId: string): ItemKey => ({ pk: `CLEANUP#RUN#${runId}`, sk: `CHANGE#${userId}` }),
  countChangePrefix: "CHANGE#",
  /** An account whose deletion began (marked) and is not finished: any run finishes it first. */
  pending: (userId: string): ItemKey => ({ pk: "CLEANUP#PENDING", sk: `USER#${userId}` }),
  pendingPartition: "CLEANUP#PENDING",
  /** A surviving account whose counts a deletion touched: the next recount recomputes them. */
  touched: (userId: string): ItemKey => ({ pk: "CLEANUP#TOUCHED", sk: `USER#${userId}` }),
  touchedPartition: "CLEANUP#TOUCHED",
  /** Dry runs record what they would do here, in their own run partition (expiring). */
  dryTouched: (runId: string, userId: string): ItemKey => ({ pk: `CLEANUP#RUN#${runId}`, sk: `TOUCHED#${userId}` }),
  dryTouchedPrefix: "TOUCHED#",
  dryWouldDelete: (runId: string, userId: string): ItemKey => ({ pk: `CLEANUP#RUN#${runId}`, sk: `WOULD#${userId}` }),
  dryWouldDeletePrefix: "WOULD#",
  dryEdge: (runId: string, followId: string): ItemKey => ({ pk: `CLEANUP#RUN#${runId}`, sk: `EDGE#${followId}` }),
  dryEdgePrefix: "EDGE#",
  /** One follower a dry run would take from an account: counted at its recount. */
  dryLostFollower: (runId: string, userId: string, followerId: string): ItemKey => ({
    pk: `CLEANUP#RUN#${runId}#LOST#${userId}`,
    sk: `FOLLOWER#${followerId}`,
  }),
  dryLostFollowersPartition: (runId: string, userId: string): string => `CLEANUP#RUN#${runId}#LOST#${userId}`,
  /** A point of an account's public follower history, newest last (by run ID). */
  historyPoint: (userId: string, runId: string): ItemKey => ({ pk: `HISTORY#${userId}`, sk: `POINT#${runId}` }),
  historyPartition: (userId: string): string => `HISTORY#${userId}`,
  historyPrefix: "POINT#",
};
