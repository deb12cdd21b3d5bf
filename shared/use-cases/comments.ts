import {
  CommentGone,
  CommentRateExceeded,
  deleteComment,
  getCommentsOfPost,
  getCommentToDelete,
  insertComment,
  PostNotAcceptingComments,
  WriterAccountMissing,
} from "../db/comment-store";
import type { RateLimit } from "../db/rate-limit-store";
import { config } from "../config";
import { decidePostAccess, viewerOf } from "../domain/access";
import type { Caller } from "../domain/account";
import { isCommentId, mayDeleteComment, toCommentView, type Comment, type CommentView } from "../domain/comments";
import { decodePostId } from "../domain/posts";
import { fixedWindow, secondsUntilEnd } from "../domain/rate-limit";
import { DomainError, forbidden, notFound, profileRequired, tooManyRequests } from "../errors";
import { ulid } from "../ids";
import { cursorAfterUlid, ulidAfter } from "../pagination";
import type { CommentInput } from "../schemas/comments";
import type { ListQuery } from "../schemas/common";
import { requireProfile } from "./caller";
import { storedAnswerFor, writeIdempotently, type IdempotentAnswer, type IdempotentRequest } from "./idempotency";
import { findLivePost, requirePermission } from "./posts";

const COMMENT_ROUTE = "POST /posts/{postId}/comments";

/** The spam guard's window: comments per user per minute (contract: Limits). */
const COMMENT_RATE_WINDOW_SECONDS = 60;

const postNotFound = () => notFound("The post");
const commentNotFound = () => notFound("The comment");

/** Refusals after which an earlier success of the same request (same Idempotency-Key) is replayed instead. */
const replayableRefusals = new Set(["not_found", "subscription_required", "too_many_requests"]);

/**
 * POST /posts/{postId}/comments. Checks in the contract's order (404, profile_required, subscription_required),
 * then one transaction writes the comment, its writer's index entry, the post's `commentCount + 1`, one count in
 * the writer's rate-limit window (429 when it is full) and, with a key, the idempotency record. Answers 201 and
 * the comment, or the stored answer of an earlier try with the same key (also when this try was refused).
 */
export async function writeComment(
  caller: Caller,
  postId: string,
  input: CommentInput,
  idempotencyKey: string | undefined,
  now = new Date(),
): Promise<IdempotentAnswer> {
  const requestOf = (userId: string): IdempotentRequest => ({
    userId,
    route: COMMENT_ROUTE,
    key: idempotencyKey,
    input: { postId, body: input.body },
  });
  const rateLimit: RateLimit = {
    window: fixedWindow(now, COMMENT_RATE_WINDOW_SECONDS),
    limit: config.COMMENT_RATE_PER_MINUTE,
  };
  try {
    const { ref, post } = await findLivePost(postId);
    const account = requireProfile(caller);
    requirePermission(decidePostAccess(post, viewerOf(caller), now).writeComment);
    const comment: Comment = {
      commentId: ulid(now.getTime()),
      postId,
      authorId: account.userId,
      body: input.body,
      createdAt: now.toISOString(),
    };
    return await writeIdempotently(
      requestOf(account.userId),
      { statusCode: 201, body: toCommentView(comment) },
      (alsoWrite) =>
        insertComment(
          {
            post: ref,
            postId,
            commentId: comment.commentId,
            writerId: account.userId,
            body: comment.body,
            createdAt: comment.createdAt,
          },
          { rateLimit, alsoWrite },
        ),
      now,
    );
  } catch (error) {
    const refusal = refusalOf(error, rateLimit, now);
    if (caller.account && refusal instanceof DomainError && replayableRefusals.has(refusal.code)) {
      const replay = await storedAnswerFor(requestOf(caller.account.userId), now);
      if (replay) return replay;
    }
    throw refusal;
  }
}

/** The store's refusals of a comment, in the API's words. */
function refusalOf(error: unknown, rateLimit: RateLimit, now: Date): unknown {
  if (error instanceof PostNotAcceptingComments) return postNotFound();
  if (error instanceof WriterAccountMissing) return profileRequired();
  if (error instanceof CommentRateExceeded) {
    return tooManyRequests(
      secondsUntilEnd(rateLimit.window, now),
      `At most ${rateLimit.limit} comments per minute; retry when the current minute is over.`,
    );
  }
  return error;
}

/**
 * GET /posts/{postId}/comments: a page of the post's comments, oldest first, for callers who may read the post's
 * body (403 subscription_required otherwise). 1 GetItem for the post and 1 Query per page.
 */
export async function listComments(
  caller: Caller,
  postId: string,
  query: ListQuery,
  now = new Date(),
): Promise<{ items: CommentView[]; nextCursor: string | null }> {
  const scope = `comments:${postId}`;
  const after = ulidAfter(scope, query.cursor);
  const { ref, post } = await findLivePost(postId);
  requirePermission(decidePostAccess(post, viewerOf(caller), now).readComments);
  const page = await getCommentsOfPost(ref, { limit: query.limit, ...(after ? { after } : {}) });
  return {
    items: page.comments.map(toCommentView),
    nextCursor: cursorAfterUlid(scope, page.nextAfter),
  };
}

/**
 * DELETE /posts/{postId}/comments/{commentId}: by the comment's writer, the post's author or an admin. Checks in
 * the contract's order (404 for an unknown post or a comment not of this post, profile_required, forbidden),
 * then one transaction deletes the comment and its index entry and takes it off `commentCount`. A comment
 * already deleted (a repeat, or a concurrent DELETE that won) is 404.
 */
export async function removeComment(caller: Caller, postId: string, commentId: string): Promise<void> {
  const ref = decodePostId(postId);
  if (!ref) throw postNotFound();
  if (!isCommentId(commentId)) throw commentNotFound();
  const target = await getCommentToDelete(ref, commentId);
  if (!target.postLive) throw postNotFound();
  if (!target.comment) throw commentNotFound();
  requireProfile(caller);
  if (!mayDeleteComment(caller.identity, target.comment, ref.authorId)) {
    throw forbidden("Only the comment's writer, the post's author or an admin may delete this comment.");
  }
  try {
    await deleteComment(ref, target.comment);
  } catch (error) {
    if (error instanceof CommentGone) throw commentNotFound();
    throw error;
  }
}
