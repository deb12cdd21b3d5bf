import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Comment } from "../domain/comments";
import type { PostRef } from "../domain/posts";
import { batchDelete, batchGetItems, itemAt } from "./batch";
import { documentClient, tableName } from "./client";
import { entityTypes, keys, sortKeyPrefixes, type ItemKey } from "./keys";
import { isLivePostItem, postLivenessAttributes } from "./post-store";
import { countAttempt, type RateLimit } from "./rate-limit-store";
import { transactWrite, TransactionCancelled, type TransactItems } from "./transactions";

// Comments live in their post's partition (`POST#<postUlid>`, `COMMENT#<commentUlid>`, oldest first), and each
// has an index entry in its writer's partition (`USER#<writerId>`, `COMMENT#<commentUlid>`) naming the post,
// so an account's comments are found by a strongly consistent Query. See docs/data-model.md.

export interface NewComment {
  post: PostRef;
  /** The post's public ID, kept with the comment and its index entry. */
  postId: string;
  commentId: string;
  writerId: string;
  body: string;
  createdAt: string;
}

interface CommentItem {
  pk: string;
  sk: string;
  entityType: typeof entityTypes.comment;
  commentId: string;
  postId: string;
  /** The writer; null once the cleanup anonymized the comment. */
  authorId: string | null;
  body: string;
  createdAt: string;
}

function toComment(item: Record<string, unknown>): Comment {
  const stored = item as unknown as CommentItem;
  return {
    commentId: stored.commentId,
    postId: stored.postId,
    authorId: typeof stored.authorId === "string" ? stored.authorId : null,
    body: stored.body,
    createdAt: stored.createdAt,
  };
}

/** The post is gone or being deleted. */
export class PostNotAcceptingComments extends Error {}
/** The writer has no account (any more), or its deletion has begun: answer as for a caller without a profile. */
export class WriterAccountMissing extends Error {}
/** The writer's current rate-limit window is full. */
export class CommentRateExceeded extends Error {}
/** The comment is gone, or its post is being deleted: nothing to delete. */
export class CommentGone extends Error {}

export interface InsertOptions {
  /** Counts the comment in the writer's rate-limit window, in the same transaction; refused when it is full. */
  rateLimit?: RateLimit;
  /** Further items, last in the transaction (an idempotency record, always the very last). */
  alsoWrite?: TransactItems;
}

/**
 * Writes a comment, its writer's index entry and the post's `commentCount + 1` in one transaction, with a check
 * that the writer's account exists, the rate-limit count when asked, and `alsoWrite` last.
 * - The post must exist and not be being deleted: a post's deletion marks it first, so no comment can appear
 *   after the deletion started reading its comments (PostNotAcceptingComments).
 * - The writer's account must exist (WriterAccountMissing): a comment commits only while its writer exists, so
 *   a deletion that removes the account and then anonymizes through the writer index misses none.
 * - A full rate-limit window refuses it (CommentRateExceeded), and counts nothing.
 * When an `alsoWrite` item's condition failed too, the TransactionCancelled is rethrown as it is (an idempotent
 * replay comes first).
 */
export async function insertComment(comment: NewComment, options: InsertOptions = {}): Promise<void> {
  const own: TransactItems = [
    {
      Put: {
        TableName: tableName,
        Item: {
          ...keys.comment(comment.post.id, comment.commentId),
          entityType: entityTypes.comment,
          commentId: comment.commentId,
          postId: comment.postId,
          authorId: comment.writerId,
          body: comment.body,
          createdAt: comment.createdAt,
        } satisfies CommentItem,
        ConditionExpression: "attribute_not_exists(pk)",
      },
    },
    {
      Put: {
        TableName: tableName,
        Item: {
          ...keys.commentByWriter(comment.writerId, comment.commentId),
          entityType: entityTypes.commentByWriter,
          commentId: comment.commentId,
          postId: comment.postId,
          createdAt: comment.createdAt,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: keys.post(comment.post.authorId, comment.post.id),
        UpdateExpression: "ADD commentCount :one",
        ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(deleting)",
        ExpressionAttributeValues: { ":one": 1 },
      },
    },
    {
      // The writer's account exists and its deletion has not begun: the deletion lists the writer's comments
      // (to anonymize them) once, after marking the account, so no comment may appear after the mark.
      ConditionCheck: {
        TableName: tableName,
        Key: keys.account(comment.writerId),
        ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(deletion)",
      },
    },
    ...(options.rateLimit ? [countAttempt(keys.commentRateCounter(comment.writerId, options.rateLimit.window.id), options.rateLimit)] : []),
  ];
  try {
    await transactWrite([...own, ...(options.alsoWrite ?? [])]);
  } catch (error) {
    if (error instanceof TransactionCancelled && !error.reasons.slice(own.length).includes("ConditionalCheckFailed")) {
      if (error.failedAt(2)) throw new PostNotAcceptingComments();
      if (error.failedAt(3)) throw new WriterAccountMissing();
      if (options.rateLimit && error.failedAt(4)) throw new CommentRateExceeded();
    }
    throw error;
  }
}

export interface CommentsPage {
  /** Up to `limit` comments, oldest first. */
  comments: Comment[];
  /** The ID of the last comment returned, when more comments follow it. */
  nextAfter: string | null;
}

/**
 * A page of a post's comments, oldest first (getCommentsOfPost): one strongly consistent Query of `limit + 1`
 * comments (the extra one tells whether another page follows), from just after the comment `after`. A Query
 * reads at most 1 MB; when it stops short with a LastEvaluatedKey, the next Query continues from there.
 */
export async function getCommentsOfPost(post: PostRef, page: { limit: number; after?: string }): Promise<CommentsPage> {
  const wanted = page.limit + 1;
  const comments: Comment[] = [];
  let startKey: Record<string, unknown> | undefined =
    page.after === undefined ? undefined : { ...keys.comment(post.id, page.after) };
  do {
    const result = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": keys.commentsOfPost(post.id), ":prefix": sortKeyPrefixes.comment },
        ConsistentRead: true,
        Limit: wanted - comments.length,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of result.Items ?? []) {
      if (item.entityType === entityTypes.comment) comments.push(toComment(item));
    }
    startKey = result.LastEvaluatedKey;
  } while (startKey && comments.length < wanted);
  const returned = comments.slice(0, page.limit);
  return { comments: returned, nextAfter: comments.length > page.limit ? returned.at(-1)!.commentId : null };
}

/** A comment as its writer's index entry names it. */
export interface WrittenComment {
  commentId: string;
  /** The public ID of the comment's post. */
  postId: string;
  createdAt: string;
}

export interface WrittenCommentsPage {
  entries: WrittenComment[];
  /** Where the next page starts (the last entry's comment ID), or null when this was the last page. */
  nextAfter: string | null;
}

/**
 * A page of the comments an account wrote, oldest first, from its index entries (getCommentsOfWriter): one
 * strongly consistent Query of the writer's partition, `begins_with(sk, "COMMENT#")`, so a comment whose request
 * has answered is always found (what an account's deletion anonymizes). Pages of at most `limit` entries (and
 * 1 MB); pass `nextAfter` back as `after` for the next page.
 */
export async function getCommentsOfWriter(
  writerId: string,
  page: { limit: number; after?: string },
): Promise<WrittenCommentsPage> {
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": keys.account(writerId).pk, ":prefix": sortKeyPrefixes.comment },
      ConsistentRead: true,
      Limit: page.limit,
      ...(page.after ? { ExclusiveStartKey: { ...keys.commentByWriter(writerId, page.after) } } : {}),
    }),
  );
  const entries = (result.Items ?? [])
    .filter((item) => item.entityType === entityTypes.commentByWriter)
    .map((item) => ({ commentId: String(item.commentId), postId: String(item.postId), createdAt: String(item.createdAt) }));
  const last = result.LastEvaluatedKey?.sk;
  return {
    entries,
    nextAfter: typeof last === "string" ? last.slice(sortKeyPrefixes.comment.length) : null,
  };
}

/** What deleting a comment needs to know: is its post live, and the comment's writer. */
export interface CommentToDelete {
  postLive: boolean;
  /** Null when the post's partition holds no such comment. */
  comment: Pick<Comment, "commentId" | "authorId"> | null;
}

/**
 * The post and the comment a DELETE names, in one strongly consistent BatchGetItem (getCommentToDelete),
 * projected to what the decision needs (never the bodies). Unprocessed keys are asked for again.
 */
export async function getCommentToDelete(post: PostRef, commentId: string): Promise<CommentToDelete> {
  const postKey = keys.post(post.authorId, post.id);
  const commentKey = keys.comment(post.id, commentId);
  const attributes = ["pk", "sk", "commentId", "authorId", ...postLivenessAttributes];
  const names = Object.fromEntries(attributes.map((name) => [`#${name}`, name]));
  const found = await batchGetItems([postKey, commentKey], {
    ProjectionExpression: Object.keys(names).join(", "),
    ExpressionAttributeNames: names,
  });
  const commentItem = itemAt(found, commentKey);
  return {
    postLive: isLivePostItem(itemAt(found, postKey)),
    comment:
      commentItem?.entityType === entityTypes.comment
        ? { commentId: String(commentItem.commentId), authorId: typeof commentItem.authorId === "string" ? commentItem.authorId : null }
        : null,
  };
}

/**
 * Deletes a comment, its writer's index entry (when it still has a writer) and one from the post's
 * `commentCount`, in one transaction (deleteComment). Conditions: the comment exists, and the post exists and
 * is not being deleted, so the count moves exactly once per comment (a concurrent DELETE of the same comment
 * loses) and a post's deletion, once begun, is never raced: CommentGone otherwise.
 */
export async function deleteComment(post: PostRef, comment: Pick<Comment, "commentId" | "authorId">): Promise<void> {
  const items: TransactItems = [
    {
      Delete: {
        TableName: tableName,
        Key: keys.comment(post.id, comment.commentId),
        ConditionExpression: "attribute_exists(pk)",
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: keys.post(post.authorId, post.id),
        UpdateExpression: "ADD commentCount :minusOne",
        ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(deleting)",
        ExpressionAttributeValues: { ":minusOne": -1 },
      },
    },
  ];
  if (comment.authorId !== null) {
    // No condition: an anonymization that removed the entry meanwhile leaves nothing to delete, which is fine.
    items.push({ Delete: { TableName: tableName, Key: keys.commentByWriter(comment.authorId, comment.commentId) } });
  }
  try {
    await transactWrite(items);
  } catch (error) {
    if (error instanceof TransactionCancelled) throw new CommentGone();
    throw error;
  }
}

/** How many comments one round of a post's deletion reads and deletes. */
export const COMMENT_DELETION_PAGE = 100;

/**
 * Deletes every comment of a post (deleteCommentsOfPost), in rounds: one strongly consistent Query of up to
 * 100 comments, then BatchWriteItem calls of 25 that delete first the writers' index entries, then the
 * comments. A crash between the two leaves comments without index entries, which the next run (a retried
 * DELETE) deletes; never an index entry that points to no comment. Returns how many comments it deleted.
 */
export async function deleteCommentsOfPost(post: PostRef): Promise<number> {
  let deleted = 0;
  for (;;) {
    const result = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": keys.commentsOfPost(post.id), ":prefix": sortKeyPrefixes.comment },
        ExpressionAttributeNames: { "#authorId": "authorId" },
        ProjectionExpression: "commentId, #authorId",
        ConsistentRead: true,
        Limit: COMMENT_DELETION_PAGE,
      }),
    );
    const comments = (result.Items ?? []) as { commentId: string; authorId?: string | null }[];
    if (comments.length === 0) return deleted;
    const indexEntries: ItemKey[] = comments
      .filter((comment) => typeof comment.authorId === "string")
      .map((comment) => keys.commentByWriter(comment.authorId!, comment.commentId));
    await batchDelete(indexEntries);
    await batchDelete(comments.map((comment) => keys.comment(post.id, comment.commentId)));
    deleted += comments.length;
  }
}
