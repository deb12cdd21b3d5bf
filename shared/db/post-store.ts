import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { PostAccess } from "../domain/access";
import type { FetchedPost, FetchedRun, PostBound } from "../domain/feed";
import { decodePostId, type Post, type PostRef } from "../domain/posts";
import { documentClient, tableName } from "./client";
import { entityTypes, keys, postsAndProfileRange, sortKeyPrefixes, userPartition } from "./keys";
import { transactWrite, TransactionCancelled, withConflictRetry, type TransactItems } from "./transactions";

// Posts live in their author's partition (`USER#<authorId>`, `POST#<ulid>`): an author's posts newest first
// are one Query, and a post's reads and writes touch one item. See docs/data-model.md.

interface PostItem {
  pk: string;
  sk: string;
  entityType: typeof entityTypes.post;
  postId: string;
  authorId: string;
  title: string;
  body: string;
  teaser: string;
  customTeaser: boolean;
  access: PostAccess;
  category: string;
  tags: string[];
  publishedAt: string;
  updatedAt: string;
  commentCount: number;
  /** Set when a DELETE began: the post is gone for readers, its comments are being deleted. */
  deleting?: boolean;
}

/** A post as stored: the domain post, and whether its deletion has begun. */
export interface StoredPost {
  post: Post;
  deleting: boolean;
}

function toStoredPost(item: Record<string, unknown>): StoredPost {
  const stored = item as unknown as PostItem;
  return {
    post: {
      postId: stored.postId,
      authorId: stored.authorId,
      title: stored.title,
      body: stored.body,
      teaser: stored.teaser,
      customTeaser: stored.customTeaser === true,
      access: stored.access,
      category: stored.category,
      tags: stored.tags ?? [],
      publishedAt: stored.publishedAt,
      updatedAt: stored.updatedAt,
      commentCount: stored.commentCount ?? 0,
    },
    deleting: stored.deleting === true,
  };
}

/** The attributes `isLivePostItem` reads: a read that needs only this may project the post item to them. */
export const postLivenessAttributes = ["entityType", "deleting"] as const;

/** Whether a stored item is a post that readers see: a post whose deletion has not begun. */
export function isLivePostItem(item: Record<string, unknown> | undefined): boolean {
  return item?.entityType === entityTypes.post && item.deleting !== true;
}

export class AuthorAccountMissing extends Error {}
export class PostChangedConcurrently extends Error {}

/** Reads one post with a strongly consistent GetItem (1 read request). */
export async function getPost(ref: PostRef): Promise<StoredPost | null> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.post(ref.authorId, ref.id), ConsistentRead: true }),
  );
  return result.Item?.entityType === entityTypes.post ? toStoredPost(result.Item) : null;
}

/**
 * Publishes a post: puts it and, in the same transaction, adds one to its author's `postCount` and raises the
 * author's `latestPostUlid` to the post's ULID (what the feed bounds each author's posts by), followed by
 * `alsoWrite` (e.g. an idempotency record). `latestPostUlid` only ever grows: when a concurrent publish with a
 * newer ULID got there first, its condition cancels the transaction and it is written again without touching
 * it (the newer value already bounds this post). Throws AuthorAccountMissing when the author has no account;
 * a TransactionCancelled in which an `alsoWrite` item failed is rethrown as it is.
 */
export async function createPost(ref: PostRef, post: Post, alsoWrite: TransactItems = []): Promise<void> {
  const item: PostItem = { ...keys.post(ref.authorId, ref.id), entityType: entityTypes.post, ...post };
  const put: TransactItems[number] = {
    Put: { TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(pk)" },
  };
  const countAndLatest: TransactItems[number] = {
    Update: {
      TableName: tableName,
      Key: keys.account(ref.authorId),
      UpdateExpression: "ADD postCount :one SET latestPostUlid = :ulid",
      // Not while the account's deletion runs: it lists the author's posts once, after its mark.
      ConditionExpression:
        "attribute_exists(pk) AND attribute_not_exists(deletion) AND " +
        "(attribute_not_exists(latestPostUlid) OR latestPostUlid < :ulid)",
      ExpressionAttributeValues: { ":one": 1, ":ulid": ref.id },
      // The account as it was, when the condition fails: absent means no account, present means a newer post.
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    },
  };
  const countOnly: TransactItems[number] = {
    Update: {
      TableName: tableName,
      Key: keys.account(ref.authorId),
      UpdateExpression: "ADD postCount :one",
      ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(deletion)",
      ExpressionAttributeValues: { ":one": 1 },
    },
  };
  for (const account of [countAndLatest, countOnly]) {
    const own = [put, account];
    try {
      await transactWrite([...own, ...alsoWrite]);
      return;
    } catch (error) {
      if (!(error instanceof TransactionCancelled) || error.reasons.slice(own.length).includes("ConditionalCheckFailed")) {
        throw error;
      }
      if (!error.failedAt(1)) throw error;
      // A newer post of this author raised latestPostUlid meanwhile: publish without lowering it.
      if (account === countAndLatest && error.oldItems[1] !== undefined) continue;
      throw new AuthorAccountMissing();
    }
  }
  throw new AuthorAccountMissing();
}

export interface PostChange {
  title?: string;
  body?: string;
  teaser?: string;
  customTeaser?: boolean;
  access?: PostAccess;
  category?: string;
  tags?: string[];
  updatedAt: string;
}

/**
 * Applies a change to a post that exists and is not being deleted (null otherwise), and returns the post as it
 * is now (1 UpdateItem). With `expectCustomTeaser`, the change applies only if the post's teaser is still of
 * that kind (PostChangedConcurrently otherwise): a derived teaser is recomputed from the body it was read with.
 */
export async function updatePost(
  ref: PostRef,
  change: PostChange,
  expectCustomTeaser?: boolean,
): Promise<StoredPost | null> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  for (const [field, value] of Object.entries(change)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  let condition = "attribute_exists(pk) AND attribute_not_exists(deleting)";
  if (expectCustomTeaser !== undefined) {
    condition += " AND customTeaser = :expectCustomTeaser";
    values[":expectCustomTeaser"] = expectCustomTeaser;
  }
  try {
    const result = await withConflictRetry(() =>
      documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.post(ref.authorId, ref.id),
          UpdateExpression: `SET ${sets.join(", ")}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      ),
    );
    return result.Attributes ? toStoredPost(result.Attributes) : null;
  } catch (error) {
    if (error instanceof Error && error.name === "ConditionalCheckFailedException") {
      // ALL_OLD: the item as it was (marshalled; only its attribute names are read here).
      const old = (error as { Item?: Record<string, unknown> }).Item;
      // The post is there and not being deleted, so it was the teaser's kind that changed under us.
      if (old && expectCustomTeaser !== undefined && !("deleting" in old)) throw new PostChangedConcurrently();
      return null;
    }
    throw error;
  }
}

/**
 * Begins a post's deletion: marks it `deleting` (readers no longer see it, new comments are refused) and takes
 * it off its author's `postCount`, in one transaction. The mark's condition (not yet marked) makes a retried or
 * concurrent DELETE count once. Returns false when the post is gone or already marked.
 */
export async function markPostDeleting(ref: PostRef): Promise<boolean> {
  const mark: NonNullable<TransactItems[number]["Update"]> = {
    TableName: tableName,
    Key: keys.post(ref.authorId, ref.id),
    UpdateExpression: "SET deleting = :true",
    ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(deleting)",
    ExpressionAttributeValues: { ":true": true },
  };
  try {
    await transactWrite([
      { Update: mark },
      {
        Update: {
          TableName: tableName,
          Key: keys.account(ref.authorId),
          UpdateExpression: "ADD postCount :minusOne",
          ConditionExpression: "attribute_exists(pk) AND postCount > :zero",
          ExpressionAttributeValues: { ":minusOne": -1, ":zero": 0 },
        },
      },
    ]);
    return true;
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedAt(0)) return false;
  }
  // The author's account is gone (its cleanup deletes its posts) or holds no count to take one from: the post
  // is marked all the same, and no count goes negative.
  try {
    await transactWrite([{ Update: mark }]);
    return true;
  } catch (error) {
    if (error instanceof TransactionCancelled) return false;
    throw error;
  }
}

/** Deletes a post whose deletion began (its comments are gone by now); a post already gone is fine. */
export async function deleteMarkedPost(ref: PostRef): Promise<void> {
  try {
    await withConflictRetry(() =>
      documentClient.send(
        new DeleteCommand({
          TableName: tableName,
          Key: keys.post(ref.authorId, ref.id),
          ConditionExpression: "deleting = :true",
          ExpressionAttributeValues: { ":true": true },
        }),
      ),
    );
  } catch (error) {
    if (error instanceof Error && error.name === "ConditionalCheckFailedException") return;
    throw error;
  }
}

export interface PostsPage {
  /** Whether the author's account exists; known on the first page only (null on later ones). */
  authorExists: boolean | null;
  /** Up to `limit` posts, newest first; posts being deleted are left out. */
  posts: Post[];
  /** The ULID of the last post returned, when more posts follow it. */
  nextAfter: string | null;
}

/**
 * A page of an author's posts, newest first (getPostsOfAuthor). The first page reads the profile with the
 * posts: the sort keys `POST#…` .. `PROFILE` descending start with the profile, so one strongly consistent
 * Query answers "does the author exist" and the page. A Query reads at most 1 MB: when a page comes back short
 * with a LastEvaluatedKey (big posts, or posts being deleted), the next Query continues from there.
 */
export async function getPostsOfAuthor(authorId: string, page: { limit: number; after?: string }): Promise<PostsPage> {
  const wanted = page.limit + 1; // one post more than asked for tells whether another page follows
  const posts: Post[] = [];
  let authorExists: boolean | null = page.after === undefined ? false : null;
  let startKey: Record<string, unknown> | undefined =
    page.after === undefined ? undefined : { ...keys.post(authorId, page.after) };
  let readsProfile = page.after === undefined;
  do {
    const result = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
        ExpressionAttributeValues: {
          ":pk": userPartition(authorId),
          ":from": postsAndProfileRange.from,
          ":to": postsAndProfileRange.to,
        },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: wanted - posts.length + (readsProfile ? 1 : 0),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    readsProfile = false;
    for (const item of result.Items ?? []) {
      if (item.entityType === entityTypes.account) authorExists = true;
      if (item.entityType !== entityTypes.post) continue;
      const stored = toStoredPost(item);
      if (!stored.deleting) posts.push(stored.post);
    }
    startKey = result.LastEvaluatedKey;
  } while (startKey && posts.length < wanted);
  const returned = posts.slice(0, page.limit);
  const last = returned.at(-1);
  return { authorExists, posts: returned, nextAfter: posts.length > page.limit && last ? postUlidOf(last) : null };
}

/**
 * Up to `limit` visible posts of one author below a bound, newest first (getPostsOfAuthorBelow): a strongly
 * consistent Query of `USER#<authorId>`, sk BETWEEN `POST#` AND `POST#<bound>` descending (a strict bound starts
 * after that key). Posts being deleted are skipped; when a Query stops short at its Limit or at 1 MB with a
 * LastEvaluatedKey, the next one continues there. `next` is where the run goes on, null when it is over.
 */
export async function getPostsOfAuthorBelow(
  authorId: string,
  below: PostBound,
  limit: number,
): Promise<FetchedRun<Post>> {
  const posts: FetchedPost<Post>[] = [];
  let startKey: Record<string, unknown> | undefined = below.inclusive ? undefined : { ...keys.post(authorId, below.ulid) };
  do {
    const result = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
        ExpressionAttributeValues: {
          ":pk": userPartition(authorId),
          ":from": sortKeyPrefixes.post,
          ":to": keys.post(authorId, below.ulid).sk,
        },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: limit - posts.length,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of result.Items ?? []) {
      if (item.entityType !== entityTypes.post) continue;
      const stored = toStoredPost(item);
      if (!stored.deleting) posts.push({ ulid: (item.sk as string).slice(sortKeyPrefixes.post.length), post: stored.post });
    }
    startKey = result.LastEvaluatedKey;
  } while (startKey && posts.length < limit);
  const next = startKey ? { ulid: (startKey.sk as string).slice(sortKeyPrefixes.post.length), inclusive: false } : null;
  return { posts, next };
}

function postUlidOf(post: Post): string {
  const ref = decodePostId(post.postId);
  if (!ref) throw new Error("A stored post has a malformed postId");
  return ref.id;
}
