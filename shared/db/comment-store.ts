import type { Comment } from "../domain/comments";
import type { PostRef } from "../domain/posts";
import { projectionOf } from "./attributes";
import { batchDelete, batchGet } from "./batch";
import {
  commentWriter,
  type CommentWriter,
  fromCommentIndexEntryItem,
  fromCommentItem,
  toCommentIndexEntryItem,
  toCommentItem,
  type WrittenComment,
} from "./entities/comment";
import { isLivePost, postLivenessAttributes } from "./entities/post";
import { ADD_COUNT_VERSION } from "./count-version";
import { collections, entityTypes, keys, type ItemKey } from "./keys";
import { queryPage, queryUntil } from "./query";
import { countAttempt, type RateLimit } from "./rate-limit-store";
import {
  checkOf,
  deleteOf,
  putOf,
  transactWrite,
  TransactionCancelled,
  updateOf,
  type TransactItems,
} from "./transactions";

// Comments live in their post's partition, oldest first, and each has an index entry in its writer's partition
// naming the post, so an account's comments are found by a strongly consistent Query (shared/db/entities/
// comment.ts). docs/data-model.md, "comment" and C1-C9, P6, P10.

export interface NewComment {
  post: PostRef;
  /** The post's public ID, kept with the comment and its index entry. */
  postId: string;
  commentId: string;
  writerId: string;
  body: string;
  createdAt: string;
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

/** The condition that a post exists and its deletion has not begun. */
const LIVE_POST = "attribute_exists(pk) AND attribute_not_exists(deleting)";

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
  const stored: Comment = {
    commentId: comment.commentId,
    postId: comment.postId,
    authorId: comment.writerId,
    body: comment.body,
    createdAt: comment.createdAt,
  };
  const created = { ConditionExpression: "attribute_not_exists(pk)" };
  const own: TransactItems = [
    putOf(toCommentItem(comment.post, stored), created),
    putOf(toCommentIndexEntryItem(comment.writerId, stored), created),
    updateOf(keys.post(comment.post.authorId, comment.post.id), {
      UpdateExpression: `ADD commentCount :one, ${ADD_COUNT_VERSION}`,
      ConditionExpression: LIVE_POST,
      ExpressionAttributeValues: { ":one": 1 },
    }),
    // The writer's account exists and its deletion has not begun: the deletion lists the writer's comments
    // (to anonymize them) once, after marking the account, so no comment may appear after the mark.
    checkOf(keys.account(comment.writerId), {
      ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(deletion)",
    }),
    ...(options.rateLimit
      ? [countAttempt(keys.commentRateCounter(comment.writerId, options.rateLimit.window.id), options.rateLimit)]
      : []),
  ];
  try {
    await transactWrite([...own, ...(options.alsoWrite ?? [])]);
  } catch (error) {
    if (error instanceof TransactionCancelled && !error.failedFrom(own.length)) {
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
  const { items } = await queryUntil(collections.commentsOfPost(post.id), fromCommentItem, page.limit + 1, {
    ...(page.after === undefined ? {} : { startAfter: keys.comment(post.id, page.after) }),
  });
  const returned = items.slice(0, page.limit);
  return { comments: returned, nextAfter: items.length > page.limit ? returned.at(-1)!.commentId : null };
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
  const result = await queryPage(collections.commentsOfWriter(writerId), fromCommentIndexEntryItem, {
    limit: page.limit,
    ...(page.after ? { startAfter: keys.commentByWriter(writerId, page.after) } : {}),
  });
  // A page that stopped at its limit ends with the entry DynamoDB would go on after.
  return { entries: result.items, nextAfter: result.next ? (result.items.at(-1)?.commentId ?? null) : null };
}

/** What deleting a comment needs to know: is its post live, and the comment's writer. */
export interface CommentToDelete {
  postLive: boolean;
  /** Null when the post's partition holds no such comment. */
  comment: CommentWriter | null;
}

const postOrCommentProjection = projectionOf([
  "pk",
  "sk",
  "commentId",
  "authorId",
  "dormantAuthorId",
  ...postLivenessAttributes,
]);

/**
 * The post and the comment a DELETE names, in one strongly consistent BatchGetItem (getCommentToDelete),
 * projected to what the decision needs (never the bodies). Unprocessed keys are asked for again.
 */
export async function getCommentToDelete(post: PostRef, commentId: string): Promise<CommentToDelete> {
  const found = await batchGet(
    [keys.post(post.authorId, post.id), keys.comment(post.id, commentId)],
    (item) =>
      item.entityType === entityTypes.comment
        ? ({ kind: "comment", comment: commentWriter.read(item) } as const)
        : ({ kind: "post", live: isLivePost(item) } as const),
    postOrCommentProjection,
  );
  return {
    postLive: found.some((item) => item.kind === "post" && item.live),
    comment: found.find((item) => item.kind === "comment")?.comment ?? null,
  };
}

/**
 * Deletes a comment, its writer's index entry (when it still has a writer) and one from the post's
 * `commentCount`, in one transaction (deleteComment). Conditions: the comment exists, and the post exists and
 * is not being deleted, so the count moves exactly once per comment (a concurrent DELETE of the same comment
 * loses) and a post's deletion, once begun, is never raced: CommentGone otherwise.
 */
export async function deleteComment(post: PostRef, comment: CommentWriter): Promise<void> {
  const items: TransactItems = [
    deleteOf(keys.comment(post.id, comment.commentId), { ConditionExpression: "attribute_exists(pk)" }),
    updateOf(keys.post(post.authorId, post.id), {
      UpdateExpression: `ADD commentCount :minusOne, ${ADD_COUNT_VERSION}`,
      ConditionExpression: LIVE_POST,
      ExpressionAttributeValues: { ":minusOne": -1, ":one": 1 },
    }),
    // No condition: an anonymization that removed the entry meanwhile leaves nothing to delete, which is fine. A
    // deactivated writer's comment keeps its entry (under `dormantAuthorId`): it goes too.
    ...(comment.indexedUnder !== null ? [deleteOf(keys.commentByWriter(comment.indexedUnder, comment.commentId))] : []),
  ];
  try {
    await transactWrite(items);
  } catch (error) {
    if (error instanceof TransactionCancelled) throw new CommentGone();
    throw error;
  }
}

/** How many comments one round of a post's deletion reads and deletes. */
const COMMENT_DELETION_PAGE = 100;

/** The caller's budget ran out before every comment was deleted: what is deleted stays deleted, a retry goes on. */
export class CommentDeletionInterrupted extends Error {
  constructor(readonly deleted: number) {
    super(`comment deletion interrupted after ${deleted} comments`);
  }
}

/**
 * Deletes every comment of a post (deleteCommentsOfPost), in rounds: one strongly consistent Query of up to
 * 100 comments, then BatchWriteItem calls of 25 that delete first the writers' index entries, then the
 * comments. A crash between the two leaves comments without index entries, which the next run (a retried
 * DELETE) deletes; never an index entry that points to no comment. Returns how many comments it deleted.
 */
export async function deleteCommentsOfPost(post: PostRef, mayGoOn: () => boolean = () => true): Promise<number> {
  let deleted = 0;
  for (;;) {
    if (!mayGoOn()) throw new CommentDeletionInterrupted(deleted);
    const { items: comments } = await queryPage(collections.commentsOfPost(post.id), commentWriter.read, {
      projection: commentWriter.projection,
      limit: COMMENT_DELETION_PAGE,
    });
    if (comments.length === 0) return deleted;
    const indexEntries: ItemKey[] = comments.flatMap((comment) =>
      comment.indexedUnder === null ? [] : [keys.commentByWriter(comment.indexedUnder, comment.commentId)],
    );
    await batchDelete(indexEntries);
    await batchDelete(comments.map((comment) => keys.comment(post.id, comment.commentId)));
    deleted += comments.length;
  }
}
