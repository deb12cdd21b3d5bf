// The one module that spells storage keys. Every key prefix names the entity it holds, so a key read in
// the console tells what it is. docs/data-model.md is the design these builders implement; each entity's
// mapping (shared/db/entities/*) builds its items with these keys, and every Query names one of the
// collections below.
import type { PostAccess } from "../domain/access";
import type { PostRef } from "../domain/posts";

export interface ItemKey {
  pk: string;
  sk: string;
}

/** What every item stores in `entityType`: the entity it holds (the union of stored items is keyed by it). */
export const entityTypes = {
  account: "account",
  followerCountShard: "followerCountShard",
  handle: "handle",
  post: "post",
  postBody: "postBody",
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
  queuedNotice: "queuedNotice",
  runTally: "runTally",
  migrationCheckpoint: "migrationCheckpoint",
  dormantRelation: "dormantRelation",
  outlookEntry: "outlookEntry",
  dormantAccount: "dormantAccount",
  restoringAccount: "restoringAccount",
  outlookSync: "outlookSync",
  deactivatedByRun: "deactivatedByRun",
} as const;

export type EntityType = (typeof entityTypes)[keyof typeof entityTypes];

/**
 * Sort-key prefixes inside a `USER#<userId>` partition. An author's posts and profile are read in one Query
 * over `POST#` .. `PROFILE` (descending: the profile first, then the posts newest first), so no other entity
 * may use a sort key between those two.
 */
const USER = "USER#";
const PROFILE = "PROFILE";
const POST = "POST#";
const BODY = "BODY#";
const COMMENT = "COMMENT#";
const IDEMPOTENCY = "IDEMPOTENCY#";
const FOLLOWS = "FOLLOWS#";
/** Sorts after `PROFILE`, so outside the posts-and-profile range. */
const RATE = "RATE#";
const FOLLOWER = "FOLLOWER#";
const FOLLOWING = "FOLLOWING#";

const userPartition = (userId: string): string => `${USER}${userId}`;
const postPartition = (postUlid: string): string => `${POST}${postUlid}`;
const followersPartition = (userId: string): string => `FOLLOWERS#${userId}`;
const followingPartition = (userId: string): string => `${FOLLOWING}${userId}`;
const dormantPartition = (holderId: string): string => `DORMANT#${holderId}`;
const outlookPartition = (followeeId: string): string => `OUTLOOK#${followeeId}`;
const shardNumber = (shard: number) => String(shard).padStart(2, "0");

export const keys = {
  /** An account's profile, counts, role, entitlements and activity. */
  account: (userId: string): ItemKey => ({ pk: userPartition(userId), sk: PROFILE }),
  /** One of the items an account's follower count is spread over (its count adds to the profile's). */
  followerCountShard: (userId: string, shard: number): ItemKey => ({
    pk: userPartition(userId),
    sk: `${PROFILE}#FOLLOWER_COUNT#${shardNumber(shard)}`,
  }),
  /** Claims a handle (lower-cased) for one account, which makes handles unique case-insensitively. */
  handle: (handle: string): ItemKey => ({ pk: `HANDLE#${handle.toLowerCase()}`, sk: "HANDLE" }),
  /**
   * A post's summary (everything but its body, with its counters), in its author's partition, so an author's
   * posts newest first are one Query that never reads a body.
   */
  post: (authorId: string, postUlid: string): ItemKey => ({ pk: userPartition(authorId), sk: `${POST}${postUlid}` }),
  /**
   * A post's body, in the post's own partition (beside its comments), under the access it is published with: a
   * reader asks only for the bodies it may read, so a locked post's body is never read (an access change moves it).
   */
  postBody: (postUlid: string, access: PostAccess): ItemKey => ({
    pk: postPartition(postUlid),
    sk: `${BODY}${access}`,
  }),
  /** A comment, in its post's partition (oldest first by ULID). */
  comment: (postUlid: string, commentUlid: string): ItemKey => ({
    pk: postPartition(postUlid),
    sk: `${COMMENT}${commentUlid}`,
  }),
  /**
   * The writer's index entry of a comment, in the writer's partition: it names the post, so every comment of
   * an account can be found (and anonymized) with a strongly consistent Query, without a scan or a GSI.
   */
  commentByWriter: (writerId: string, commentUlid: string): ItemKey => ({
    pk: userPartition(writerId),
    sk: `${COMMENT}${commentUlid}`,
  }),
  /**
   * An idempotency record: scoped to the caller (its partition) and the route, then the client's key. The key
   * comes last, so whatever characters it holds the three parts cannot be confused.
   */
  idempotency: (userId: string, route: string, key: string): ItemKey => ({
    pk: userPartition(userId),
    sk: `${IDEMPOTENCY}${route}#${key}`,
  }),
  /** The follow relation itself, found by its pair: "does follower follow followee". */
  follow: (followerId: string, followeeId: string): ItemKey => ({
    pk: userPartition(followerId),
    sk: `${FOLLOWS}${followeeId}`,
  }),
  /** A row of the followee's follower list; the follow ID (a ULID) orders the list by time. */
  followerEntry: (followeeId: string, followId: string): ItemKey => ({
    pk: followersPartition(followeeId),
    sk: `${FOLLOWER}${followId}`,
  }),
  /** A row of the follower's following list, ordered by time like the follower list. */
  followingEntry: (followerId: string, followId: string): ItemKey => ({
    pk: followingPartition(followerId),
    sk: `${FOLLOWING}${followId}`,
  }),
  /**
   * A user's count of comments written in one rate-limit window (named by its start). It expires (TTL) once
   * its window is over; a new window is a new item, so an expired one that TTL has not removed yet is never read.
   */
  commentRateCounter: (userId: string, windowId: string): ItemKey => ({
    pk: userPartition(userId),
    sk: `${RATE}COMMENTS#${windowId}`,
  }),
  /**
   * The index item of a dormant follow relation, under the deactivated account that holds it (docs/data-model.md,
   * "A second chance"): how its restore or purge finds the relation again, since its list rows are gone.
   */
  dormantRelation: (holderId: string, followId: string): ItemKey => ({
    pk: dormantPartition(holderId),
    sk: `FOLLOW#${followId}`,
  }),
  /**
   * A follower under notice, in its followee's outlook: sorted by the follower's earliest possible deactivation, so
   * the earliest of all is the first item of the partition.
   */
  outlookEntry: (followeeId: string, at: string, followerId: string): ItemKey => ({
    pk: outlookPartition(followeeId),
    sk: `AT#${at}#${followerId}`,
  }),
};

// The cleanup of inactive accounts (docs/data-model.md, "Cleanup"). Its items live in partitions of their own,
// never in a `USER#` partition, so no account read ever sees them.
const RUNS = "CLEANUP#RUNS";
const PENDING = "CLEANUP#PENDING";
const OUTBOX = "CLEANUP#OUTBOX";
const TOUCHED = "CLEANUP#TOUCHED";
const runPartition = (runId: string): string => `CLEANUP#RUN#${runId}`;
const lostFollowersPartition = (runId: string, userId: string): string => `${runPartition(runId)}#LOST#${userId}`;
const historyPartition = (userId: string): string => `HISTORY#${userId}`;
const DORMANT = "CLEANUP#DORMANT";
const RESTORING = "CLEANUP#RESTORING";
const OUTLOOK_SYNCS = "CLEANUP#OUTLOOK";
const restoreTouchedPartition = (touchedSet: string): string => `CLEANUP#RESTORE#${touchedSet}`;
const UNTIL = "UNTIL#";

export const cleanupKeys = {
  /** A run's record; `CLEANUP#RUNS` holds every run, newest last (run IDs are ULIDs). */
  run: (runId: string): ItemKey => ({ pk: RUNS, sk: `RUN#${runId}` }),
  /** The one lease: whoever holds it (unexpired) is the run under way. */
  lease: (): ItemKey => ({ pk: "CLEANUP#LEASE", sk: "LEASE" }),
  /** A surviving account's follower count as a run changed it, in the run's own partition. */
  countChange: (runId: string, userId: string): ItemKey => ({ pk: runPartition(runId), sk: `CHANGE#${userId}` }),
  /** An account whose deletion began (marked) and is not finished: any run finishes it first. */
  pending: (userId: string): ItemKey => ({ pk: PENDING, sk: userPartition(userId) }),
  /** A surviving account whose counts a deletion touched: the next recount recomputes them. */
  touched: (userId: string): ItemKey => ({ pk: TOUCHED, sk: userPartition(userId) }),
  /** Dry runs record what they would do here, in their own run partition (expiring). */
  dryTouched: (runId: string, userId: string): ItemKey => ({ pk: runPartition(runId), sk: `TOUCHED#${userId}` }),
  dryWouldDelete: (runId: string, userId: string): ItemKey => ({ pk: runPartition(runId), sk: `WOULD#${userId}` }),
  dryEdge: (runId: string, followId: string): ItemKey => ({ pk: runPartition(runId), sk: `EDGE#${followId}` }),
  /** One follower a dry run would take from an account: counted at its recount. */
  dryLostFollower: (runId: string, userId: string, followerId: string): ItemKey => ({
    pk: lostFollowersPartition(runId, userId),
    sk: `${FOLLOWER}${followerId}`,
  }),
  /**
   * A notice before deletion waiting to go out, as an earlier release queued it (the outbox): one per account at
   * most. This release queues a notice on the account's schedule entry and only reads, settles and drops these.
   */
  queuedNotice: (userId: string): ItemKey => ({ pk: OUTBOX, sk: userPartition(userId) }),
  /** What a run counts once per account: a notice recorded and/or a deletion deferred, in one item. */
  runTally: (runId: string, userId: string): ItemKey => ({ pk: runPartition(runId), sk: `TALLY#${userId}` }),
  /** An earlier release's tallies, one item per kind (`NOTICE#`: a notice; `DEFERRED#`: a deletion deferred). */
  noticeTally: (runId: string, userId: string): ItemKey => ({ pk: runPartition(runId), sk: `NOTICE#${userId}` }),
  deferredTally: (runId: string, userId: string): ItemKey => ({ pk: runPartition(runId), sk: `DEFERRED#${userId}` }),
  /** What a run did to one account (`FIGURES#`: marked, deactivated, deleted, purged; its relations and comments). */
  runFigures: (runId: string, userId: string): ItemKey => ({ pk: runPartition(runId), sk: `FIGURES#${userId}` }),
  /** A point of an account's public follower history, newest last (by run ID). */
  historyPoint: (userId: string, runId: string): ItemKey => ({ pk: historyPartition(userId), sk: `POINT#${runId}` }),
  /** A dormant account, sorted by the end of its grace: what a run purges once that time has passed. */
  dormant: (graceUntil: string, userId: string): ItemKey => ({
    pk: DORMANT,
    sk: `${UNTIL}${graceUntil}#${USER}${userId}`,
  }),
  /** An account whose restore began and whose relations are not all back yet: the restore sweep goes on with it. */
  restoring: (userId: string): ItemKey => ({ pk: RESTORING, sk: userPartition(userId) }),
  /** An account whose follower-outlook entries are not yet where its schedule says (a sync cut short). */
  outlookSync: (userId: string): ItemKey => ({ pk: OUTLOOK_SYNCS, sk: userPartition(userId) }),
  /** An account a run deactivated: what an undo of that run restores. */
  deactivatedBy: (runId: string, userId: string): ItemKey => ({ pk: runPartition(runId), sk: `DEACTIVATED#${userId}` }),
  /** A surviving account whose counts a restore (or an undo) raised, with its counts before the first raise. */
  restoreTouched: (touchedSet: string, userId: string): ItemKey => ({
    pk: restoreTouchedPartition(touchedSet),
    sk: userPartition(userId),
  }),
};

// Operator migrations (`npm run migrate`): one checkpoint item per migration, in a partition of its own.
export const migrationKeys = {
  /** The checkpoint of a migration, named by what it moves. */
  checkpoint: (migration: string): ItemKey => ({ pk: `MIGRATION#${migration}`, sk: "CHECKPOINT" }),
};

/** Items of one partition whose sort keys start with one prefix: what a prefix Query reads. */
export interface ItemCollection {
  pk: string;
  prefix: string;
}

/** A sort-key range of one partition, both ends included: what a range Query reads. */
export interface ItemRange {
  pk: string;
  from: string;
  to: string;
}

/** The collections the stores read, each named for what it holds. */
export const collections = {
  /** The profile and its follower-count shards: everything that makes up the account (read and deleted together). */
  accountItems: (userId: string): ItemCollection => ({ pk: userPartition(userId), prefix: PROFILE }),
  /** An author's post summaries. */
  postsOf: (authorId: string): ItemCollection => ({ pk: userPartition(authorId), prefix: POST }),
  /** A post's body items (one per access it was ever stored under, normally one). */
  bodiesOfPost: (postUlid: string): ItemCollection => ({ pk: postPartition(postUlid), prefix: BODY }),
  /** A post's comments, oldest first. */
  commentsOfPost: (postUlid: string): ItemCollection => ({ pk: postPartition(postUlid), prefix: COMMENT }),
  /** A writer's comment index entries, oldest first. */
  commentsOfWriter: (writerId: string): ItemCollection => ({ pk: userPartition(writerId), prefix: COMMENT }),
  /** A user's idempotency records. */
  idempotencyRecordsOf: (userId: string): ItemCollection => ({ pk: userPartition(userId), prefix: IDEMPOTENCY }),
  /** The rows of an account's follower list, by follow time. */
  followerRowsOf: (userId: string): ItemCollection => ({ pk: followersPartition(userId), prefix: FOLLOWER }),
  /** The rows of the list of accounts one account follows, by follow time. */
  followingRowsOf: (userId: string): ItemCollection => ({ pk: followingPartition(userId), prefix: FOLLOWING }),
  /** Every cleanup run, oldest first. */
  cleanupRuns: (): ItemCollection => ({ pk: RUNS, prefix: "RUN#" }),
  /** A run's count changes. */
  countChangesOf: (runId: string): ItemCollection => ({ pk: runPartition(runId), prefix: "CHANGE#" }),
  /** Accounts whose deletion began and is not finished. */
  pendingDeletions: (): ItemCollection => ({ pk: PENDING, prefix: USER }),
  /** Notices an earlier release left waiting in the outbox. */
  queuedNotices: (): ItemCollection => ({ pk: OUTBOX, prefix: USER }),
  /** The accounts a run recorded a notice for or deferred the deletion of (one item each). */
  runTallies: (runId: string): ItemCollection => ({ pk: runPartition(runId), prefix: "TALLY#" }),
  /** The same, as an earlier release tallied them: a notice and a deferral in an item each. */
  noticeTallies: (runId: string): ItemCollection => ({ pk: runPartition(runId), prefix: "NOTICE#" }),
  deferredTallies: (runId: string): ItemCollection => ({ pk: runPartition(runId), prefix: "DEFERRED#" }),
  /** What a run did to each account it deactivated, deleted or purged: its totals, summed when it ends. */
  runFigures: (runId: string): ItemCollection => ({ pk: runPartition(runId), prefix: "FIGURES#" }),
  /** Surviving accounts whose counts a real run touched. */
  touchedAccounts: (): ItemCollection => ({ pk: TOUCHED, prefix: USER }),
  /** What a dry run recorded: accounts it touched, accounts it would delete, relations it would delete. */
  dryTouched: (runId: string): ItemCollection => ({ pk: runPartition(runId), prefix: "TOUCHED#" }),
  dryWouldDelete: (runId: string): ItemCollection => ({ pk: runPartition(runId), prefix: "WOULD#" }),
  dryEdges: (runId: string): ItemCollection => ({ pk: runPartition(runId), prefix: "EDGE#" }),
  /** The followers a dry run would take from one account. */
  dryLostFollowers: (runId: string, userId: string): ItemCollection => ({
    pk: lostFollowersPartition(runId, userId),
    prefix: FOLLOWER,
  }),
  /** The follow relation items an account made (live and dormant), by followee. */
  relationsOf: (followerId: string): ItemCollection => ({ pk: userPartition(followerId), prefix: FOLLOWS }),
  /** The dormant relations a deactivated account holds. */
  dormantRelationsOf: (holderId: string): ItemCollection => ({ pk: dormantPartition(holderId), prefix: "FOLLOW#" }),
  /** An account's followers under notice, earliest possible deactivation first. */
  outlookOf: (followeeId: string): ItemCollection => ({ pk: outlookPartition(followeeId), prefix: "AT#" }),
  /** Accounts whose restore is under way. */
  restoringAccounts: (): ItemCollection => ({ pk: RESTORING, prefix: USER }),
  /** Accounts whose outlook sync was cut short. */
  outlookSyncs: (): ItemCollection => ({ pk: OUTLOOK_SYNCS, prefix: USER }),
  /** The accounts a run deactivated. */
  deactivatedBy: (runId: string): ItemCollection => ({ pk: runPartition(runId), prefix: "DEACTIVATED#" }),
  /** The accounts a restore (or an undo) touched. */
  restoreTouched: (touchedSet: string): ItemCollection => ({ pk: restoreTouchedPartition(touchedSet), prefix: USER }),
  /** An account's follower history points, oldest first. */
  followerHistoryOf: (userId: string): ItemCollection => ({ pk: historyPartition(userId), prefix: "POINT#" }),
  /** Every item of one partition (tests and the cleanup's checks read whole partitions). */
  wholePartition: (pk: string): ItemCollection => ({ pk, prefix: "" }),
};

export const ranges = {
  /**
   * An author's posts and, last of all, its profile: `POST#` .. `PROFILE`. Read descending, the profile comes
   * first and the posts follow newest first (no entity may use a sort key between the two).
   */
  postsAndProfileOf: (authorId: string): ItemRange => ({ pk: userPartition(authorId), from: POST, to: PROFILE }),
  /**
   * What a purge deletes of an account's own partition, in one range: its comment index (`COMMENT#`), the relations
   * it made (`FOLLOWS#`) and its idempotency records (`IDEMPOTENCY#`), which sort next to each other; it ends before
   * `POST#` (`$` sorts right after `#`), so the profile, its shards and the rate counters are not in it.
   */
  purgeableOf: (userId: string): ItemRange => ({
    pk: userPartition(userId),
    from: COMMENT,
    to: `${IDEMPOTENCY.slice(0, -1)}$`,
  }),
  /** Dormant accounts whose grace ended at or before `now`, earliest first. */
  dormantUntil: (now: string): ItemRange => ({ pk: DORMANT, from: UNTIL, to: `${UNTIL}${now}` }),
  /** An author's posts at or below one post (descending: newest first from there). */
  postsOfAuthorThrough: (authorId: string, postUlid: string): ItemRange => ({
    pk: userPartition(authorId),
    from: POST,
    to: keys.post(authorId, postUlid).sk,
  }),
};

/** Partition of the sparse inactivity index: one per calendar month of `lastActiveAt`. */
export const inactivityPartition = (lastActiveAt: string): string => `ACTIVE#${lastActiveAt.slice(0, 7)}`;

/** Where a Query of the inactivity index goes on after one account: the index's key with the table's. */
export const inactivityIndexKey = (userId: string, lastActiveAt: string) => ({
  ...keys.account(userId),
  inactivityPk: inactivityPartition(lastActiveAt),
  inactivitySk: lastActiveAt,
});

// Reading keys back: what a key names.

/** The post a summary item's key names: its author's partition and its ULID. */
export function postRefOf(key: ItemKey): PostRef {
  return { authorId: key.pk.slice(USER.length), id: key.sk.slice(POST.length) };
}

/** The access a body item's key names. */
export const bodyAccessOf = (key: ItemKey): string => key.sk.slice(BODY.length);

/** The account a `USER#` partition key names (a comment index entry's writer, say). */
export const userIdOfPartition = (key: ItemKey): string => key.pk.slice(USER.length);

/** The post ULID a `POST#` partition key names (a comment's or a body's post). */
export const postUlidOfPartition = (key: ItemKey): string => key.pk.slice(POST.length);

/** The lower-cased handle a claim's key names. */
export const claimedHandleOf = (key: ItemKey): string => key.pk.slice("HANDLE#".length);
