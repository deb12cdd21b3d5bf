import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { PostRef } from "../domain/posts";
import { batchDelete } from "./batch";
import { documentClient, tableName } from "./client";
import { entityTypes, keys, sortKeyPrefixes, type ItemKey } from "./keys";
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

export class PostNotAcceptingComments extends Error {}
/** The writer has no account (any more), or its deletion has begun: answer as for a caller without a profile. */
export class WriterAccountMissing extends Error {}

/**
 * Writes a comment, its writer's index entry and the post's `commentCount + 1` in one transaction, followed by
 * `alsoWrite`. The post must exist and not be being deleted: a post's deletion marks it first, so no comment
 * can appear after the deletion started reading its comments (PostNotAcceptingComments).
 */
export async function insertComment(comment: NewComment, alsoWrite: TransactItems = []): Promise<void> {
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
        },
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
  ];
  try {
    await transactWrite([...own, ...alsoWrite]);
  } catch (error) {
    if (error instanceof TransactionCancelled && !error.reasons.slice(own.length).includes("ConditionalCheckFailed")) {
      if (error.failedAt(2)) throw new PostNotAcceptingComments();
      if (error.failedAt(3)) throw new WriterAccountMissing();
    }
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
