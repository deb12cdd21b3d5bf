// Post steps that read or write storage directly: many comments at once (past the rate limit) and stored items.
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../../shared/db/client";
import { insertComment } from "../../shared/db/comment-store";
import { keys } from "../../shared/db/keys";
import { decodePostId } from "../../shared/domain/posts";
import { ulid } from "../../shared/ids";
import type { TestUser } from "./given";

/** Inserts comments through the comment store as the comments route does (the post's count included), without its rate limit. */
export async function someComments(postId: string, writers: TestUser[], count: number): Promise<string[]> {
  const post = decodePostId(postId);
  if (!post) throw new Error(`not a post ID: ${postId}`);
  const commentIds: string[] = [];
  for (let start = 0; start < count; start += 10) {
    const batch = Array.from({ length: Math.min(10, count - start) }, (_, i) => {
      const commentId = ulid();
      commentIds.push(commentId);
      return insertComment({
        post,
        postId,
        commentId,
        writerId: writers[(start + i) % writers.length]!.userId,
        body: `comment ${start + i}`,
        createdAt: new Date().toISOString(),
      });
    });
    await Promise.all(batch);
  }
  return commentIds;
}

async function queryAll(pk: string, prefix: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": pk, ":prefix": prefix },
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** The comment items stored in a post's partition. */
export const storedCommentsOf = (postId: string) => queryAll(keys.commentsOfPost(decodePostId(postId)!.id), "COMMENT#");

/** The comment index entries stored in a writer's partition. */
export const storedCommentIndexOf = (writer: TestUser) => queryAll(keys.account(writer.userId).pk, "COMMENT#");

/** The post items stored in an author's partition, being deleted or not. */
export const storedPostsOf = (author: TestUser) => queryAll(keys.account(author.userId).pk, "POST#");
