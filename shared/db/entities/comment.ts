// A comment (`POST#<postUlid>`, `COMMENT#<commentUlid>`, in its post's partition) and its writer's index entry
// (`USER#<writerId>`, `COMMENT#<commentUlid>`), written together. docs/data-model.md, "comment".
import type { Comment } from "../../domain/comments";
import type { PostRef } from "../../domain/posts";
import { attributesOf, isEntity, projectionOf, type RawItem } from "../attributes";
import { entityTypes, keys, type ItemKey } from "../keys";

export interface CommentItem extends ItemKey {
  entityType: typeof entityTypes.comment;
  commentId: string;
  postId: string;
  /** The writer; null once the cleanup anonymized the comment. */
  authorId: string | null;
  /** The writer while its account is deactivated (the comment shows no writer; a restore gives it back). */
  dormantAuthorId?: string;
  body: string;
  createdAt: string;
}

export interface CommentIndexEntryItem extends ItemKey {
  entityType: typeof entityTypes.commentByWriter;
  commentId: string;
  /** The public ID of the comment's post. */
  postId: string;
  createdAt: string;
}

export function toCommentItem(post: PostRef, comment: Comment): CommentItem {
  return { ...keys.comment(post.id, comment.commentId), entityType: entityTypes.comment, ...comment };
}

/** The comment a stored item holds; null when the item is not a comment. */
export function fromCommentItem(item: RawItem | undefined): Comment | null {
  if (!isEntity(item, entityTypes.comment)) return null;
  const attributes = attributesOf(item, entityTypes.comment);
  return {
    commentId: attributes.string("commentId"),
    postId: attributes.string("postId"),
    authorId: attributes.nullableString("authorId"),
    body: attributes.string("body"),
    createdAt: attributes.string("createdAt"),
  };
}

export function toCommentIndexEntryItem(
  writerId: string,
  comment: Pick<Comment, "commentId" | "postId" | "createdAt">,
): CommentIndexEntryItem {
  return {
    ...keys.commentByWriter(writerId, comment.commentId),
    entityType: entityTypes.commentByWriter,
    commentId: comment.commentId,
    postId: comment.postId,
    createdAt: comment.createdAt,
  };
}

/** A comment as its writer's index entry names it. */
export interface WrittenComment {
  commentId: string;
  /** The public ID of the comment's post. */
  postId: string;
  createdAt: string;
}

/** The comment an index entry names; null when the item is not an index entry. */
export function fromCommentIndexEntryItem(item: RawItem | undefined): WrittenComment | null {
  if (!isEntity(item, entityTypes.commentByWriter)) return null;
  const attributes = attributesOf(item, entityTypes.commentByWriter);
  return {
    commentId: attributes.string("commentId"),
    postId: attributes.string("postId"),
    createdAt: attributes.string("createdAt"),
  };
}

/** What deleting a comment needs of it: its ID and writer (never its body). */
export interface CommentWriter extends Pick<Comment, "commentId" | "authorId"> {
  /** Whose index entry the comment has: its writer, or its deactivated writer (null: anonymized for good). */
  indexedUnder: string | null;
}

export const commentWriter = {
  projection: projectionOf(["commentId", "authorId", "dormantAuthorId"]),
  read: (item: RawItem): CommentWriter => {
    const attributes = attributesOf(item, entityTypes.comment);
    const authorId = attributes.nullableString("authorId");
    return {
      commentId: attributes.string("commentId"),
      authorId,
      indexedUnder: authorId ?? attributes.optionalString("dormantAuthorId") ?? null,
    };
  },
};

/** What anonymizing needs of an index entry: its key and the comment it names. */
export const indexEntryRef = {
  projection: projectionOf(["pk", "sk", "commentId", "postId"]),
  read: (item: RawItem): { key: ItemKey; commentId: string; postId: string } => {
    const attributes = attributesOf(item, entityTypes.commentByWriter);
    return { key: attributes.key(), commentId: attributes.string("commentId"), postId: attributes.string("postId") };
  },
};
