// The one module that spells storage keys. Every key prefix names the entity it holds, so a key read in
// the console tells what it is. docs/data-model.md is the design these builders implement.

export interface ItemKey {
  pk: string;
  sk: string;
}

export const entityTypes = {
  account: "account",
  handle: "handle",
  post: "post",
  comment: "comment",
  commentByWriter: "commentByWriter",
  idempotencyRecord: "idempotencyRecord",
  rateCounter: "rateCounter",
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

export const keys = {
  /** An account's profile, counts, role, entitlements and activity. */
  account: (userId: string): ItemKey => ({ pk: `USER#${userId}`, sk: "PROFILE" }),
  /** Claims a handle (lower-cased) for one account, which makes handles unique case-insensitively. */
  handle: (handle: string): ItemKey => ({ pk: `HANDLE#${handle.toLowerCase()}`, sk: "HANDLE" }),
  /** A post, in its author's partition, so an author's posts newest first are one Query. */
  post: (authorId: string, postUlid: string): ItemKey => ({ pk: `USER#${authorId}`, sk: `${sortKeyPrefixes.post}${postUlid}` }),
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
    pk: `USER#${writerId}`,
    sk: `${sortKeyPrefixes.comment}${commentUlid}`,
  }),
  /**
   * An idempotency record: scoped to the caller (its partition) and the route, then the client's key. The key
   * comes last, so whatever characters it holds the three parts cannot be confused.
   */
  idempotency: (userId: string, route: string, key: string): ItemKey => ({
    pk: `USER#${userId}`,
    sk: `${sortKeyPrefixes.idempotency}${route}#${key}`,
  }),
  /**
   * A user's count of comments written in one rate-limit window (named by its start). It expires (TTL) once
   * its window is over; a new window is a new item, so an expired one that TTL has not removed yet is never read.
   */
  commentRateCounter: (userId: string, windowId: string): ItemKey => ({
    pk: `USER#${userId}`,
    sk: `${sortKeyPrefixes.rateCounter}COMMENTS#${windowId}`,
  }),
};

/** The partition key of a user's items (profile, posts, comment index entries, idempotency records, rate counters). */
export const userPartition = (userId: string): string => `USER#${userId}`;

/** Partition of the sparse inactivity index: one per calendar month of `lastActiveAt`. */
export const inactivityPartition = (lastActiveAt: string): string => `ACTIVE#${lastActiveAt.slice(0, 7)}`;
