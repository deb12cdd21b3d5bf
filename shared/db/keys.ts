// The one module that spells storage keys. Every key prefix names the entity it holds, so a key read in
// the console tells what it is. docs/data-model.md is the design these builders implement.
import * as z from "zod/mini";
import { encodePostId, shownTeaser, type PostRef, type PostSummary } from "../domain/posts";
import type { PostAccess } from "../domain/access";

export interface ItemKey {
  pk: string;
  sk: string;
}

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
  migrationCheckpoint: "migrationCheckpoint",
} as const;

/**
 * Sort-key prefixes inside a `USER#<userId>` partition. An author's posts and profile are read in one Query
 * over `POST#` .. `PROFILE` (descending: the profile first, then the posts newest first), so no other entity
 * may use a sort key between those two.
 */
export const sortKeyPrefixes = {
  post: "POST#",
  /** In a post's own partition (`POST#<postUlid>`), beside its comments and outside any list's range. */
  postBody: "BODY#",
  comment: "COMMENT#",
  idempotency: "IDEMPOTENCY#",
  /** Sorts after `PROFILE`, so outside the posts-and-profile range. */
  rateCounter: "RATE#",
} as const;

/** The sort-key range of `postsWithProfileOf`: every post of the partition and, last of all, its profile. */
export const postsAndProfileRange = { from: sortKeyPrefixes.post, to: "PROFILE" } as const;

/** The partition key of a user's items (profile, count shards, posts, follow relations, comment index entries, idempotency records). */
const USER_PARTITION_PREFIX = "USER#";
export const userPartition = (userId: string): string => `${USER_PARTITION_PREFIX}${userId}`;
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
  /**
   * A post's summary (everything but its body, with its counters), in its author's partition, so an author's
   * posts newest first are one Query that never reads a body.
   */
  post: (authorId: string, postUlid: string): ItemKey => ({ pk: userPartition(authorId), sk: `${sortKeyPrefixes.post}${postUlid}` }),
  /** A post's own partition: its body and its comments (oldest first by ULID). */
  commentsOfPost: (postUlid: string): string => `POST#${postUlid}`,
  /**
   * A post's body, in the post's own partition, under the access it is published with: a reader asks only for
   * the bodies it may read, so a locked post's body is never read (an access change moves it).
   */
  postBody: (postUlid: string, access: PostAccess): ItemKey => ({
    pk: keys.commentsOfPost(postUlid),
    sk: `${sortKeyPrefixes.postBody}${access}`,
  }),
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

// The post's two items and their mapping to the domain (docs/data-model.md, "post"). The summary's key gives the
// author and the ULID, so the item does not repeat them.

const postAccessSchema = z.enum(["free", "plus", "select"]);

const postSummaryItemSchema = z.object({
  pk: z.string(),
  sk: z.string(),
  entityType: z.literal(entityTypes.post),
  title: z.string(),
  teaser: z.string(),
  customTeaser: z.boolean(),
  access: postAccessSchema,
  category: z.string(),
  tags: z.optional(z.array(z.string())),
  publishedAt: z.string(),
  updatedAt: z.string(),
  commentCount: z.optional(z.number()),
  /** Moves whenever the body item changes (content or access); absent on a post stored before 1.1. */
  bodyRevision: z.optional(z.number()),
  /** Set when a DELETE began: the post is gone for readers, its comments are being deleted. */
  deleting: z.optional(z.boolean()),
  /** The body, on a post stored before 1.1 that `npm run migrate` has not moved yet. */
  body: z.optional(z.string()),
});

/** A post summary item as stored. */
export type PostSummaryItem = z.infer<typeof postSummaryItemSchema>;

const postBodyItemSchema = z.object({
  pk: z.string(),
  sk: z.string(),
  entityType: z.literal(entityTypes.postBody),
  /** The summary's `bodyRevision` this body belongs to. */
  revision: z.number(),
  body: z.string(),
});

/** A post body item as stored. */
export type PostBodyItem = z.infer<typeof postBodyItemSchema>;

/** A post's summary as stored, with what the store needs to keep its body in step. */
export interface StoredPostSummary {
  ref: PostRef;
  summary: PostSummary;
  /** Whether a DELETE began (the post is gone for readers). */
  deleting: boolean;
  /** The revision of the body item; null for a post stored before 1.1, whose body is `legacyBody`. */
  bodyRevision: number | null;
  legacyBody: string | null;
}

/** The post a summary item's key names: its author's partition and its ULID. */
export function postRefOf(key: ItemKey): PostRef {
  return { authorId: key.pk.slice(USER_PARTITION_PREFIX.length), id: key.sk.slice(sortKeyPrefixes.post.length) };
}

/** The summary item of a post (no body). */
export function toPostSummaryItem(ref: PostRef, summary: PostSummary, bodyRevision: number): PostSummaryItem {
  return {
    ...keys.post(ref.authorId, ref.id),
    entityType: entityTypes.post,
    title: summary.title,
    teaser: summary.teaser,
    customTeaser: summary.customTeaser,
    access: summary.access,
    category: summary.category,
    tags: summary.tags,
    publishedAt: summary.publishedAt,
    updatedAt: summary.updatedAt,
    commentCount: summary.commentCount,
    bodyRevision,
  };
}

/** The post a stored item holds, or null when the item is not a post summary. */
export function fromPostSummaryItem(item: Record<string, unknown> | undefined): StoredPostSummary | null {
  if (item?.entityType !== entityTypes.post) return null;
  const stored = postSummaryItemSchema.parse(item);
  const ref = postRefOf(stored);
  return {
    ref,
    summary: {
      postId: encodePostId(ref),
      authorId: ref.authorId,
      title: stored.title,
      teaser: shownTeaser(stored),
      customTeaser: stored.customTeaser,
      access: stored.access,
      category: stored.category,
      tags: stored.tags ?? [],
      publishedAt: stored.publishedAt,
      updatedAt: stored.updatedAt,
      commentCount: stored.commentCount ?? 0,
    },
    deleting: stored.deleting === true,
    bodyRevision: stored.bodyRevision ?? null,
    legacyBody: stored.body ?? null,
  };
}

/** The body item of a post at one revision, stored under its access. */
export function toPostBodyItem(ref: PostRef, access: PostAccess, revision: number, body: string): PostBodyItem {
  return { ...keys.postBody(ref.id, access), entityType: entityTypes.postBody, revision, body };
}

/** A post's body as stored: under which access, at which revision. Null when the item is not a post body. */
export function fromPostBodyItem(item: Record<string, unknown> | undefined): { access: PostAccess; revision: number; body: string } | null {
  if (item?.entityType !== entityTypes.postBody) return null;
  const stored = postBodyItemSchema.parse(item);
  return { access: postAccessSchema.parse(stored.sk.slice(sortKeyPrefixes.postBody.length)), revision: stored.revision, body: stored.body };
}

// Operator migrations (`npm run migrate`): one checkpoint item per migration, in a partition of its own.

/** The checkpoint of a migration, named by what it moves. */
export const migrationKeys = {
  checkpoint: (migration: string): ItemKey => ({ pk: `MIGRATION#${migration}`, sk: "CHECKPOINT" }),
};

const migrationCheckpointItemSchema = z.object({
  entityType: z.literal(entityTypes.migrationCheckpoint),
  /** Where the table's scan goes on (a key of the table); absent once it reached the end. */
  next: z.optional(z.record(z.string(), z.string())),
  complete: z.boolean(),
  scanned: z.number(),
  moved: z.number(),
  skipped: z.number(),
  updatedAt: z.string(),
});

/** How far a migration got: where its scan goes on, and what it did so far. */
export type MigrationCheckpoint = Omit<z.infer<typeof migrationCheckpointItemSchema>, "entityType">;

export function toMigrationCheckpointItem(migration: string, checkpoint: MigrationCheckpoint) {
  return { ...migrationKeys.checkpoint(migration), entityType: entityTypes.migrationCheckpoint, ...checkpoint };
}

export function fromMigrationCheckpointItem(item: Record<string, unknown> | undefined): MigrationCheckpoint | null {
  if (item === undefined) return null;
  const { entityType: _entityType, ...checkpoint } = migrationCheckpointItemSchema.parse(item);
  return checkpoint;
}
