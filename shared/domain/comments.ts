import type { Identity } from "./account";

// Comments in the domain's words. Storage keys live in shared/db; what leaves the API is a CommentView.

export interface Comment {
  /** A ULID: comments of a post sort oldest first by it. */
  commentId: string;
  /** The public ID of the post it belongs to. */
  postId: string;
  /** The writer; null once the writer's account was deleted (the cleanup anonymizes the comment). */
  authorId: string | null;
  body: string;
  createdAt: string;
}

/** The contract's Comment: what the API answers of one. */
export interface CommentView {
  commentId: string;
  postId: string;
  /** The writer; null once the writer's account was deleted. */
  authorId: string | null;
  body: string;
  createdAt: string;
}

export const MAX_COMMENT_LENGTH = 5000;

export function toCommentView(comment: Comment): CommentView {
  return {
    commentId: comment.commentId,
    postId: comment.postId,
    authorId: comment.authorId,
    body: comment.body,
    createdAt: comment.createdAt,
  };
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Whether a string is a comment ID this API could have made; anything else names no comment (404, no request). */
export const isCommentId = (commentId: string): boolean => ULID.test(commentId);

/**
 * Who may delete a comment (moderation): its writer, the post's author, or an admin (the token's role decides).
 * An anonymized comment has no writer left, so only the post's author and admins may delete it.
 */
export function mayDeleteComment(
  caller: Identity | null,
  comment: Pick<Comment, "authorId">,
  postAuthorId: string,
): boolean {
  if (caller === null) return false;
  return (
    caller.role === "admin" ||
    caller.userId === postAuthorId ||
    (comment.authorId !== null && caller.userId === comment.authorId)
  );
}
