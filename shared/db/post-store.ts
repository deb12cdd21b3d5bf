import type { PostAccess } from "../domain/access";
import type { Post, PostRef, PostSummary } from "../domain/posts";
import { unavailable } from "../errors";
import type { RawItem } from "./attributes";
import { batchGet } from "./batch";
import {
  fromPostBodyItem,
  fromPostSummaryItem,
  toPostBodyItem,
  toPostSummaryItem,
  type StoredPostBody,
  type StoredPostSummary,
} from "./entities/post";
import { ADD_COUNT_VERSION } from "./count-version";
import { keys } from "./keys";
import { ConditionFailed, deleteItem, getItem, unlessConditionFails, updateItem } from "./requests";
import {
  deleteOf,
  putOf,
  transactWrite,
  TransactionCancelled,
  updateOf,
  type TransactItem,
  type TransactItems,
} from "./transactions";

// A post is two items (shared/db/entities/post.ts): its summary in its author's partition and its body in the
// post's own partition. Lists and counters touch summaries only (post-list-store.ts); a body is read alone, by a
// reader who may read it. docs/data-model.md, "post" and P1-P6.

export type { StoredPostSummary };

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
export function getPostSummary(ref: PostRef): Promise<StoredPostSummary | null> {
  return getItem(keys.post(ref.authorId, ref.id), fromPostSummaryItem);
}

/** A post as a reader gets it: its summary, and its body when the reader asked for its access. */
export interface PostToRead {
  stored: StoredPostSummary;
  /** Null when the post's access is not among those asked for (or its deletion has begun). */
  body: string | null;
}

type SummaryOrBody = { kind: "summary"; summary: StoredPostSummary } | { kind: "body"; body: StoredPostBody };

const readSummaryOrBody = (item: RawItem): SummaryOrBody | null => {
  const summary = fromPostSummaryItem(item);
  if (summary) return { kind: "summary", summary };
  const body = fromPostBodyItem(item);
  return body ? { kind: "body", body } : null;
};

/**
 * Reads a post's summary and, in the same strongly consistent BatchGetItem (1 request), its body as stored under
 * each of `accesses`: the caller asks only for what the reader may read, so a locked post's body is never read
 * (each body key that finds nothing costs one read unit). The body belongs to the summary only at the summary's
 * `bodyRevision`; a PATCH that commits between the batch's two reads shows as a mismatch, and the pair is read
 * again (a few times at most, then 503).
 */
export async function getPostToRead(ref: PostRef, accesses: readonly PostAccess[]): Promise<PostToRead | null> {
  const itemKeys = [keys.post(ref.authorId, ref.id), ...accesses.map((access) => keys.postBody(ref.id, access))];
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await batchGet(itemKeys, readSummaryOrBody);
    const stored = found.find((item) => item.kind === "summary")?.summary;
    if (!stored) return null;
    if (stored.deleting || !accesses.includes(stored.summary.access)) return { stored, body: null };
    if (stored.legacyBody !== null) return { stored, body: stored.legacyBody };
    const body = found
      .flatMap((item) => (item.kind === "body" ? [item.body] : []))
      .find((item) => item.access === stored.summary.access);
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
  const created = { ConditionExpression: "attribute_not_exists(pk)" };
  const items: TransactItems = [
    putOf(toPostSummaryItem(ref, post, revision), created),
    putOf(toPostBodyItem(ref, post.access, revision, post.body), created),
  ];
  const accountAt = items.length;
  const countAndLatest = updateOf(keys.account(ref.authorId), {
    UpdateExpression: `ADD postCount :one, ${ADD_COUNT_VERSION} SET latestPostUlid = :ulid`,
    // Not while the account's deletion runs: it lists the author's posts once, after its mark.
    ConditionExpression:
      "attribute_exists(pk) AND attribute_not_exists(deletion) AND (attribute_not_exists(latestPostUlid) OR latestPostUlid < :ulid)",
    ExpressionAttributeValues: { ":one": 1, ":ulid": ref.id },
    // The account as it was, when the condition fails: absent means no account, present means a newer post.
    ReturnValuesOnConditionCheckFailure: "ALL_OLD",
  });
  const countOnly = updateOf(keys.account(ref.authorId), {
    UpdateExpression: `ADD postCount :one, ${ADD_COUNT_VERSION}`,
    ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(deletion)",
    ExpressionAttributeValues: { ":one": 1 },
  });
  for (const account of [countAndLatest, countOnly]) {
    const own = [...items, account];
    try {
      await transactWrite([...own, ...alsoWrite]);
      return;
    } catch (error) {
      if (!(error instanceof TransactionCancelled) || error.failedFrom(own.length) || !error.failedAt(accountAt))
        throw error;
      // A newer post of this author raised latestPostUlid meanwhile: publish without lowering it.
      if (account === countAndLatest && error.oldItems[accountAt] !== undefined) continue;
      throw new AuthorAccountMissing();
    }
  }
  throw new AuthorAccountMissing();
}

/** The summary fields a PATCH may set. */
export type PostFields = Partial<
  Pick<PostSummary, "title" | "teaser" | "customTeaser" | "access" | "category" | "tags">
> & {
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
  const condition = {
    ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(deleting) AND customTeaser = :readCustomTeaser AND ${atBodyRevision(from, values)}`,
    ExpressionAttributeNames: names,
    ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
  };
  const summaryKey = keys.post(ref.authorId, ref.id);
  try {
    if (change.body === undefined) {
      return await updateItem(
        summaryKey,
        {
          ...condition,
          UpdateExpression: `SET ${sets.join(", ")}`,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        },
        fromPostSummaryItem,
      );
    }
    const revision = nextBodyRevision(from);
    const access = change.fields.access ?? from.summary.access;
    // A post stored before 1.1 leaves its layout here: its body moves to the body item, and its ID and author,
    // which its key gives, go.
    const legacy = from.bodyRevision === null ? " REMOVE body, postId, authorId" : "";
    const items: TransactItems = [
      updateOf(summaryKey, {
        ...condition,
        UpdateExpression: `SET ${[...sets, "bodyRevision = :nextBodyRevision"].join(", ")}${legacy}`,
        ExpressionAttributeValues: { ...values, ":nextBodyRevision": revision },
      }),
      putOf(toPostBodyItem(ref, access, revision, change.body)),
      ...(from.bodyRevision !== null && access !== from.summary.access
        ? [deleteOf(keys.postBody(ref.id, from.summary.access))]
        : []),
    ];
    await transactWrite(items);
    const fields = Object.fromEntries(Object.entries(change.fields).filter(([, value]) => value !== undefined));
    return { ...from, summary: { ...from.summary, ...fields }, bodyRevision: revision, legacyBody: null };
  } catch (error) {
    const failure = failedSummaryCondition(error);
    if (!failure) throw error;
    // The post is there and not being deleted, so it changed under us.
    if (failure.old !== undefined && !("deleting" in failure.old)) throw new PostChangedConcurrently();
    return null;
  }
}

/** The summary as it was when its condition failed (`old` undefined: there was none); null when `error` is not that failure. */
function failedSummaryCondition(error: unknown): { old: RawItem | undefined } | null {
  if (error instanceof TransactionCancelled) return error.failedAt(0) ? { old: error.oldItems[0] } : null;
  if (error instanceof ConditionFailed) return { old: error.item };
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
  const mark: TransactItem = updateOf(keys.post(ref.authorId, ref.id), {
    UpdateExpression: "SET deleting = :true",
    ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(deleting) AND ${atBodyRevision(stored, values)}`,
    ExpressionAttributeValues: values,
    ReturnValuesOnConditionCheckFailure: "ALL_OLD",
  });
  const countDown = updateOf(keys.account(ref.authorId), {
    UpdateExpression: `ADD postCount :minusOne, ${ADD_COUNT_VERSION}`,
    ConditionExpression: "attribute_exists(pk) AND postCount > :zero",
    ExpressionAttributeValues: { ":minusOne": -1, ":zero": 0, ":one": 1 },
  });
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
  if (stored.bodyRevision !== null) await deleteItem(keys.postBody(ref.id, stored.summary.access));
  await unlessConditionFails(
    deleteItem(keys.post(ref.authorId, ref.id), {
      ConditionExpression: "deleting = :true",
      ExpressionAttributeValues: { ":true": true },
    }),
  );
}
