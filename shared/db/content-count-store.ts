import type { PostRef } from "../domain/posts";
import { isLivePost, postLivenessAttributes } from "./entities/post";
import { LIVE_ACCOUNT_CONDITION } from "./account-store";
import { projectionOf } from "./attributes";
import { collections, keys } from "./keys";
import { countItems, queryAll } from "./query";
import { unlessConditionFails, updateItem } from "./requests";

// The recount of the counts a post or a comment moves (`postCount` on the author's account, `commentCount` on a
// post's summary), for the operator's audit (`npm run audit -- --fix`). Like the follower recount
// (follower-count-store.ts, storeRecountItems), each write is guarded by the value read before counting: a post or
// a comment that lands meanwhile fails the condition, and the caller reads and counts again.

const liveness = projectionOf(postLivenessAttributes);

/** How many of an author's posts readers see (not being deleted): consistent Queries of the summaries, projected. */
export async function countLivePosts(authorId: string): Promise<number> {
  return (await queryAll(collections.postsOf(authorId), (item) => isLivePost(item) || null, { projection: liveness }))
    .length;
}

/** Stores an author's post count, only while the account is live and still holds `read`; false when it did not. */
export function storePostCount(authorId: string, read: number, counted: number): Promise<boolean> {
  return unlessConditionFails(
    updateItem(keys.account(authorId), {
      UpdateExpression: "SET postCount = :counted",
      ConditionExpression: `${LIVE_ACCOUNT_CONDITION} AND postCount = :read`,
      ExpressionAttributeValues: { ":counted": counted, ":read": read },
    }),
  );
}

/** How many comments a post holds (Select COUNT Queries of its partition, consistent). */
export function countCommentsOfPost(post: PostRef): Promise<number> {
  return countItems(collections.commentsOfPost(post.id));
}

/** Stores a post's comment count, only while the post is not being deleted and still holds `read`. */
export function storeCommentCount(post: PostRef, read: number, counted: number): Promise<boolean> {
  return unlessConditionFails(
    updateItem(keys.post(post.authorId, post.id), {
      UpdateExpression: "SET commentCount = :counted",
      ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(deleting) AND commentCount = :read",
      ExpressionAttributeValues: { ":counted": counted, ":read": read },
    }),
  );
}
