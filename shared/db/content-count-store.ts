import type { PostRef } from "../domain/posts";
import { isLivePost, postLivenessAttributes, type StoredPostSummary } from "./entities/post";
import { LIVE_ACCOUNT_CONDITION, type StoredAccountState } from "./account-store";
import { projectionOf } from "./attributes";
import { ADD_COUNT_VERSION, atCountVersion } from "./count-version";
import { collections, keys } from "./keys";
import { countItems, queryAll } from "./query";
import { unlessConditionFails, updateItem } from "./requests";

// The recount of the counts a post or a comment moves (`postCount` on the author's account, `commentCount` on a
// post's summary), for the operator's audit (`npm run audit -- --fix`). Like the follower recount
// (follower-count-store.ts, recountItems), each write is guarded by the count version read before counting
// (count-version.ts): a post or a comment that lands meanwhile, or one that lands and another that goes, fails
// the condition, and the caller reads and counts again.

const liveness = projectionOf(postLivenessAttributes);

/** How many of an author's posts readers see (not being deleted): consistent Queries of the summaries, projected. */
export async function countLivePosts(authorId: string): Promise<number> {
  return (await queryAll(collections.postsOf(authorId), (item) => isLivePost(item) || null, { projection: liveness }))
    .length;
}

/**
 * Stores an author's post count, only while the account is the live one read (`state`) and its count version is
 * still the one read; false when it was not (read and count again).
 */
export function storePostCount(state: StoredAccountState, counted: number): Promise<boolean> {
  const condition = atCountVersion(state.profileCountVersion, {
    ConditionExpression: `${LIVE_ACCOUNT_CONDITION} AND createdAt = :readCreatedAt`,
    ExpressionAttributeValues: { ":readCreatedAt": state.account.createdAt },
  });
  return unlessConditionFails(
    updateItem(keys.account(state.account.userId), {
      UpdateExpression: `SET postCount = :counted ADD ${ADD_COUNT_VERSION}`,
      ...condition,
      ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ":counted": counted, ":one": 1 },
    }),
  );
}

/** How many comments a post holds (Select COUNT Queries of its partition, consistent). */
export function countCommentsOfPost(post: PostRef): Promise<number> {
  return countItems(collections.commentsOfPost(post.id));
}

/**
 * Stores a post's comment count, only while the post is not being deleted and its count version is still the one
 * read (`post`); false when it was not (read and count again).
 */
export function storeCommentCount(post: StoredPostSummary, counted: number): Promise<boolean> {
  const condition = atCountVersion(post.countVersion, {
    ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(deleting)",
  });
  return unlessConditionFails(
    updateItem(keys.post(post.ref.authorId, post.ref.id), {
      UpdateExpression: `SET commentCount = :counted ADD ${ADD_COUNT_VERSION}`,
      ...condition,
      ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ":counted": counted, ":one": 1 },
    }),
  );
}
