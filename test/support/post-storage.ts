// Post steps that read or write storage directly: many comments at once (past the rate limit), posts stored as
// version 1 stored them, and the stored items.
import { TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "../../shared/db/client";
import { insertComment } from "../../shared/db/comment-store";
import { collections, entityTypes, keys } from "../../shared/db/keys";
import { decodePostId, encodePostId } from "../../shared/domain/posts";
import { ulid } from "../../shared/ids";
import { storedItem, storedItems } from "./storage";
import { type TestUser } from "./host";
import { aPostInput, type PostInputBody } from "./posts";

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

/** The comment items stored in a post's partition. */
export const storedCommentsOf = (postId: string) => storedItems(collections.commentsOfPost(decodePostId(postId)!.id));

/** The comment index entries stored in a writer's partition. */
export const storedCommentIndexOf = (writer: TestUser) => storedItems(collections.commentsOfWriter(writer.userId));

/** The post items stored in an author's partition, being deleted or not. */
export const storedPostsOf = (author: TestUser) => storedItems(collections.postsOf(author.userId));

/**
 * Publishes a post the way version 1 stored it, with raw items: ONE item holding the body, its teaser derived
 * from the body whatever the access (first 280 code points), `postId` and `authorId` repeated on it; the
 * author's `postCount` and `latestPostUlid` raised in the same transaction. What `npm run migrate` finds in a
 * deployed table.
 */
export async function aPostInTheOldLayout(author: TestUser, overrides: Partial<PostInputBody> = {}, at = new Date()) {
  const input = { category: "analysis", tags: [], ...aPostInput(overrides) };
  const ref = { authorId: author.userId, id: ulid(at.getTime()) };
  const postId = encodePostId(ref);
  await documentClient.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: {
              ...keys.post(author.userId, ref.id),
              entityType: entityTypes.post,
              postId,
              authorId: author.userId,
              title: input.title,
              body: input.body,
              teaser: input.teaser ?? Array.from(input.body).slice(0, 280).join(""),
              customTeaser: input.teaser !== undefined,
              access: input.access,
              category: input.category,
              tags: input.tags,
              publishedAt: at.toISOString(),
              updatedAt: at.toISOString(),
              commentCount: 0,
            },
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: keys.account(author.userId),
            UpdateExpression: "ADD postCount :one SET latestPostUlid = :ulid",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeValues: { ":one": 1, ":ulid": ref.id },
          },
        },
      ],
    }),
  );
  return { postId, ref, input };
}

/** A post's stored items: its summary (or version 1 item) and its body items, by access. */
export async function storedItemsOfPost(postId: string) {
  const ref = decodePostId(postId)!;
  const summary = await storedItem(keys.post(ref.authorId, ref.id));
  const bodies = await storedItems(collections.bodiesOfPost(ref.id));
  return { summary: summary ?? undefined, bodies };
}
