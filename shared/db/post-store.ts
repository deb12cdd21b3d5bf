import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { PostAccess } from "../domain/access";
import type { FetchedPost, FetchedRun, PostBound } from "../domain/feed";
import type { Post, PostRef, PostSummary } from "../domain/posts";
import { unavailable } from "../errors";
import { batchGetItems, itemAt } from "./batch";
import { documentClient, tableName } from "./client";
import {
  entityTypes,
  fromPostBodyItem,
  fromPostSummaryItem,
  keys,
  postsAndProfileRange,
  sortKeyPrefixes,
  toPostBodyItem,
  toPostSummaryItem,
  userPartition,
  type StoredPostSummary,
} from "./keys";
import { transactWrite, TransactionCancelled, withConflictRetry, type TransactItems } from "./transactions";

// A post is two items (docs/data-model.md, "post"): its summary in its author's partition (`USER#<authorId>`,
// `POST#<ulid>`: what lists show, with `commentCount`), and its body in the post's own partition
// (`POST#<ulid>`, `BODY#<access>`). Lists and counters touch summaries only; a body is read alone, by a reader
// who may read it. Posts stored before 1.1 hold their body in the summary until `npm run migrate` moves it.

export type { StoredPostSummary } from "./keys";

/** The attributes `isLivePostItem` reads: a read that needs only this may project the post item to them. */
export const postLivenessAttributes = ["entityType", "deleting"] as const;

/** Whether a stored item is a post that readers see: a post whose deletion has not begun. */
export function isLivePostItem(item: Record<string, unknown> | undefined): boolean {
  return item?.entityType === entityTypes.post && item.deleting !== true;
}

export class AuthorAccountMissing extends Error {}
/** The post changed (its body, its access or its teaser's kind) since it was read: read it again. */
export class PostChangedConcurrently extends Error {}

/** The condition that a post's summary is still at the body revision it was read with. */
function atBodyRevision(stored: StoredPostSummary, values: Record<string, unknown>): string {
  if (stored.bodyRevision === null) return "attribute_not_exists(bodyRevision)";
  values[":readBodyRevision"] = stored.bodyRevision;
  return "bodyRevision = :readBodyRevision";
}

/** The next body revision of a post (a post stored before 1.1 has none yet). */
const nextBodyRevision = (stored: StoredPostSummary): number => (stored.bodyRevision ?? 0) + 1;

/** Reads one post's summary, never its body (1 strongly consistent GetItem). */
export async function getPostSummary(ref: PostRef): Promise<StoredPostSummary | null> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.post(ref.authorId, ref.id), ConsistentRead: true }),
  );
  return fromPostSummaryItem(result.Item);
}

/** A post as a reader gets it: its summary, and its body when the reader asked for its access. */
export interface PostToRead {
  stored: StoredPostSummary;
  /** Null when the post's access is not among those asked for (or its deletion has begun). */
  body: string | null;
}

/**
 * Reads a post's summary and, in the same strongly consistent BatchGetItem (1 request), its body as stored under
 * each of `accesses`: the caller asks only for what the reader may read, so a locked post's body is never read
 * (each body key that finds nothing costs one read unit). The body belongs to the summary only at the summary's
 * `bodyRevision`; a PATCH that commits between the batch's two reads shows as a mismatch, and the pair is read
 * again (a few times at most, then 503).
 */
export async function getPostToRead(ref: PostRef, accesses: readonly PostAccess[]): Promise<PostToRead | null> {
  const summaryKey = keys.post(ref.authorId, ref.id);
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await batchGetItems([summaryKey, ...accesses.map((access) => keys.postBody(ref.id, access))]);
    const stored = fromPostSummaryItem(itemAt(found, summaryKey));
    if (!stored) return null;
    if (stored.deleting || !accesses.includes(stored.summary.access)) return { stored, body: null };
    if (stored.legacyBody !== null) return { stored, body: stored.legacyBody };
    const body = fromPostBodyItem(itemAt(found, keys.postBody(ref.id, stored.summary.access)));
    if (body?.revision === stored.bodyRevision) return { stored, body: body.body };
  }
  throw unavailable(1);
}

/**
 * Publishes a post: puts its summary and its body and, in the same transaction, adds one to its author's
 * `postCount` and raises the author's `latestPostUlid` to the post's ULID (what the feed bounds each author's
 * posts by), followed by `alsoWrite` (e.g. an idempotency record). `latestPostUlid` only ever grows: when a
 * concurrent publish with a newer ULID got there first, its condition cancels the transaction and it is written
 * again without touching it (the newer value already bounds this post). Throws AuthorAccountMissing when the
 * author has no account; a TransactionCancelled in which an `alsoWrite` item failed is rethrown as it is.
 */
export async function createPost(ref: PostRef, post: Post, alsoWrite: TransactItems = []): Promise<void> {
  const revision = 1;
  const items: TransactItems = [
    { Put: { TableName: tableName, Item: toPostSummaryItem(ref, post, revision), ConditionExpression: "attribute_not_exists(pk)" } },
    {
      Put: {
        TableName: tableName,
        Item: toPostBodyItem(ref, post.access, revision, post.body),
        ConditionExpression: "attribute_not_exists(pk)",
      },
    },
  ];
  const accountAt = items.length;
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
    const own = [...items, account];
    try {
      await transactWrite([...own, ...alsoWrite]);
      return;
    } catch (error) {
      if (!(error instanceof TransactionCancelled) || error.reasons.slice(own.length).includes("ConditionalCheckFailed")) {
        throw error;
      }
      if (!error.failedAt(accountAt)) throw error;
      // A newer post of this author raised latestPostUlid meanwhile: publish without lowering it.
      if (account === countAndLatest && error.oldItems[accountAt] !== undefined) continue;
      throw new AuthorAccountMissing();
    }
  }
  throw new AuthorAccountMissing();
}

/** The summary fields a PATCH may set. */
export type PostFields = Partial<Pick<PostSummary, "title" | "teaser" | "customTeaser" | "access" | "category" | "tags">> & {
  updatedAt: string;
};

/**
 * A change of a post, decided on the post as it was read: the summary fields to set and, when the body's text
 * or its access changes, the body as it is to be stored from now on (the body item is rewritten, or moved to
 * the new access's key).
 */
export interface PostChange {
  fields: PostFields;
  body?: string;
}

/**
 * Applies a change to a post that is still as it was read (`from`): same body revision and same teaser kind,
 * exists, not being deleted. Returns the summary as stored now; null when the post is gone or being deleted;
 * PostChangedConcurrently when it changed meanwhile (read it again). A change of the summary alone is one
 * UpdateItem; a change that rewrites or moves the body is one transaction of the summary, the new body item and
 * (when the access changed) the deletion of the old one, and moves the body revision. A post stored before 1.1
 * loses its body attribute in that transaction: it leaves in the new layout.
 */
export async function updatePost(from: StoredPostSummary, change: PostChange): Promise<StoredPostSummary | null> {
  const { ref } = from;
  if (change.body === undefined && (change.fields.access ?? from.summary.access) !== from.summary.access) {
    throw new Error("An access change moves the body: the change must carry it");
  }
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ":readCustomTeaser": from.summary.customTeaser };
  const sets: string[] = [];
  for (const [field, value] of Object.entries(change.fields)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  const condition =
    "attribute_exists(pk) AND attribute_not_exists(deleting) AND customTeaser = :readCustomTeaser AND " + atBodyRevision(from, values);
  const summaryUpdate = {
    TableName: tableName,
    Key: keys.post(ref.authorId, ref.id),
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
  };
  try {
    if (change.body === undefined) {
      const result = await withConflictRetry(() =>
        documentClient.send(
          new UpdateCommand({
            ...summaryUpdate,
            UpdateExpression: `SET ${sets.join(", ")}`,
            ExpressionAttributeValues: values,
            ReturnValues: "ALL_NEW",
          }),
        ),
      );
      return fromPostSummaryItem(result.Attributes);
    }
    const revision = nextBodyRevision(from);
    const access = change.fields.access ?? from.summary.access;
    // A post stored before 1.1 leaves its layout here: its body moves to the body item, and its ID and author,
    // which its key gives, go.
    const legacy = from.bodyRevision === null ? " REMOVE body, postId, authorId" : "";
    const items: TransactItems = [
      {
        Update: {
          ...summaryUpdate,
          UpdateExpression: `SET ${[...sets, "bodyRevision = :nextBodyRevision"].join(", ")}${legacy}`,
          ExpressionAttributeValues: { ...values, ":nextBodyRevision": revision },
        },
      },
      { Put: { TableName: tableName, Item: toPostBodyItem(ref, access, revision, change.body) } },
    ];
    if (from.bodyRevision !== null && access !== from.summary.access) {
      items.push({ Delete: { TableName: tableName, Key: keys.postBody(ref.id, from.summary.access) } });
    }
    await transactWrite(items);
    const fields = Object.fromEntries(Object.entries(change.fields).filter(([, value]) => value !== undefined));
    return { ...from, summary: { ...from.summary, ...fields }, bodyRevision: revision, legacyBody: null };
  } catch (error) {
    const old = failedConditionItem(error);
    if (old === null) throw error;
    // The post is there and not being deleted, so it changed under us.
    if (old !== undefined && !("deleting" in old)) throw new PostChangedConcurrently();
    return null;
  }
}

/**
 * The item as it was when the summary's condition failed (undefined: there was none), or null when `error` is not
 * that failure. Plain UpdateItem hands it back marshalled; a transaction's is unmarshalled (`TransactionCancelled`);
 * only its attribute names are read.
 */
function failedConditionItem(error: unknown): Record<string, unknown> | undefined | null {
  if (error instanceof TransactionCancelled) return error.failedAt(0) ? error.oldItems[0] : null;
  if (error instanceof Error && error.name === "ConditionalCheckFailedException") return (error as { Item?: Record<string, unknown> }).Item;
  return null;
}

/**
 * Begins a post's deletion: marks its summary `deleting` (readers no longer see it, new comments are refused,
 * no PATCH can change it any more) and takes it off its author's `postCount`, in one transaction. The mark's
 * condition (not yet marked, at the body revision read) makes a retried or concurrent DELETE count once, and
 * freezes the access under which `stored`'s body lies. Returns false when the post is gone or already marked;
 * PostChangedConcurrently when a PATCH moved its body since it was read.
 */
export async function markPostDeleting(stored: StoredPostSummary): Promise<boolean> {
  const { ref } = stored;
  const values: Record<string, unknown> = { ":true": true };
  const mark: TransactItems[number] = {
    Update: {
      TableName: tableName,
      Key: keys.post(ref.authorId, ref.id),
      UpdateExpression: "SET deleting = :true",
      ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(deleting) AND ${atBodyRevision(stored, values)}`,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    },
  };
  const countDown: TransactItems[number] = {
    Update: {
      TableName: tableName,
      Key: keys.account(ref.authorId),
      UpdateExpression: "ADD postCount :minusOne",
      ConditionExpression: "attribute_exists(pk) AND postCount > :zero",
      ExpressionAttributeValues: { ":minusOne": -1, ":zero": 0 },
    },
  };
  // Without the count when the author's account is gone (its cleanup deletes its posts) or holds no count to
  // take one from: the post is marked all the same, and no count goes negative.
  for (const items of [[mark, countDown], [mark]]) {
    try {
      await transactWrite(items);
      return true;
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      if (!error.failedAt(0)) continue;
      const old = error.oldItems[0];
      if (old !== undefined && old.deleting === undefined) throw new PostChangedConcurrently();
      return false;
    }
  }
  return false;
}

/**
 * Deletes a post whose deletion began (its comments are gone by now): its body item, then its summary, each one
 * DeleteItem (the body first: a crash in between leaves the marked summary, and a retried DELETE finishes). A
 * post stored before 1.1 holds its body in the summary. A post already gone is fine.
 */
export async function deleteMarkedPost(stored: StoredPostSummary): Promise<void> {
  const { ref } = stored;
  if (stored.bodyRevision !== null) {
    await withConflictRetry(() =>
      documentClient.send(new DeleteCommand({ TableName: tableName, Key: keys.postBody(ref.id, stored.summary.access) })),
    );
  }
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
  posts: PostSummary[];
  /** The ULID of the last post returned, when more posts follow it. */
  nextAfter: string | null;
}

/**
 * A page of an author's posts, newest first (getPostsOfAuthor). The first page reads the profile with the
 * posts: the sort keys `POST#…` .. `PROFILE` descending start with the profile, so one strongly consistent
 * Query answers "does the author exist" and the page. It reads summaries only (bodies live elsewhere), unless
 * a post stored before 1.1 still holds its body. A Query reads at most 1 MB: when a page comes back short with
 * a LastEvaluatedKey (posts being deleted, or unmigrated long posts), the next Query continues from there.
 */
export async function getPostsOfAuthor(authorId: string, page: { limit: number; after?: string }): Promise<PostsPage> {
  const wanted = page.limit + 1; // one post more than asked for tells whether another page follows
  const posts: StoredPostSummary[] = [];
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
      const stored = fromPostSummaryItem(item);
      if (stored && !stored.deleting) posts.push(stored);
    }
    startKey = result.LastEvaluatedKey;
  } while (startKey && posts.length < wanted);
  const returned = posts.slice(0, page.limit);
  const last = returned.at(-1);
  return {
    authorExists,
    posts: returned.map((stored) => stored.summary),
    nextAfter: posts.length > page.limit && last ? last.ref.id : null,
  };
}

/**
 * Up to `limit` visible posts of one author below a bound, newest first (getPostsOfAuthorBelow): a strongly
 * consistent Query of `USER#<authorId>`, sk BETWEEN `POST#` AND `POST#<bound>` descending (a strict bound starts
 * after that key), summaries only. Posts being deleted are skipped; when a Query stops short at its Limit or at
 * 1 MB with a LastEvaluatedKey, the next one continues there. `next` is where the run goes on, null when it is over.
 */
export async function getPostsOfAuthorBelow(
  authorId: string,
  below: PostBound,
  limit: number,
): Promise<FetchedRun<PostSummary>> {
  const posts: FetchedPost<PostSummary>[] = [];
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
      const stored = fromPostSummaryItem(item);
      if (stored && !stored.deleting) posts.push({ ulid: stored.ref.id, post: stored.summary });
    }
    startKey = result.LastEvaluatedKey;
  } while (startKey && posts.length < limit);
  const next = startKey ? { ulid: String(startKey.sk).slice(sortKeyPrefixes.post.length), inclusive: false } : null;
  return { posts, next };
}
