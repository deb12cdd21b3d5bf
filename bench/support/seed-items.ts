import { toAccountItem } from "../../shared/db/entities/account";
import { toFollowerCountShardItem } from "../../shared/db/entities/follower-count-shard";
import { toHandleClaimItem } from "../../shared/db/entities/handle-claim";
import { toPostBodyItem, toPostSummaryItem } from "../../shared/db/entities/post";
import type { StoredItem } from "../../shared/db/items";
import { encodePostId, type PostRef } from "../../shared/domain/posts";

// The items the cleanup benchmarks seed with BatchWriteItem (not through the API): an account as the stores keep
// it, and a free post. Import it only after the bench environment is set (the entities read the configuration).

export interface SeededAccount {
  userId: string;
  role: "reader" | "author";
  followers: number;
  following: number;
  posts: number;
  createdAt: string;
  lastActiveAt: string;
  /** Follower-count shard items (0: the count on the profile alone). */
  shards: number;
}

/** The profile (readers with a verified-looking address), its handle claim and its follower-count shards. */
export function accountItems(account: SeededAccount): StoredItem[] {
  const handle = account.userId.replaceAll("-", "_");
  const profile = {
    userId: account.userId,
    handle,
    displayName: account.userId,
    role: account.role,
    followerCount: account.followers,
    followingCount: account.following,
    postCount: account.posts,
    createdAt: account.createdAt,
    lastActiveAt: account.lastActiveAt,
    entitlements: [],
    ...(account.role === "reader" ? { emailClaim: `${handle}@bench.test` } : {}),
  };
  return [
    toAccountItem(profile, account.shards),
    toHandleClaimItem(handle, account.userId),
    ...Array.from({ length: account.shards }, (_, shard) => toFollowerCountShardItem(account.userId, shard)),
  ];
}

/** A free post's summary and body, published at `at`, with `commentCount` comments counted. */
export function postItems(post: PostRef, commentCount: number, at: string): StoredItem[] {
  const summary = {
    postId: encodePostId(post),
    authorId: post.authorId,
    title: "Outlook",
    teaser: "Body",
    customTeaser: false,
    access: "free" as const,
    category: "analysis",
    tags: [],
    publishedAt: at,
    updatedAt: at,
    commentCount,
  };
  return [toPostSummaryItem(post, summary, 1), toPostBodyItem(post, "free", 1, "Body")];
}
