// What callers do, through the API of the host under test (test/support/host.ts): each step answers the typed answer,
// asserting nothing, for the test's `then` to judge. A step's name says who does what: `when.follows(reader, author)`.
import type { components } from "./api/types";
import { host, type TestUser } from "./host";
import { aPostInput } from "./posts";

type Schemas = components["schemas"];
type Someone = { userId: string };
type Page = { limit?: number; cursor?: string };
/** A caller's token, or none for an anonymous request. */
const tokenOf = (caller: TestUser | undefined) => (caller ? { token: caller.token } : {});
const api = () => host().api;

export const when = {
  /** `user` creates their profile (201) or changes it (200). */
  savesProfile: (
    user: TestUser,
    profile: Schemas["ProfileInput"] = { handle: user.handle, displayName: user.handle },
  ) => api().PUT("/me", { token: user.token, body: profile }),
  /** `user` reads their own account. */
  readsOwnAccount: (user: TestUser) => api().GET("/me", { token: user.token }),
  /** Someone (anonymous without `caller`) reads a profile. */
  readsProfileOf: (someone: Someone, caller?: TestUser) =>
    api().GET("/users/{userId}", { path: { userId: someone.userId }, ...tokenOf(caller) }),
  /** Someone looks a handle up. */
  findsHandle: (handle: string, caller?: TestUser) =>
    api().GET("/handles/{handle}", { path: { handle }, ...tokenOf(caller) }),
  /** `admin` replaces `user`'s entitlements. */
  grants: (admin: TestUser, user: Someone, entitlements: Schemas["EntitlementsInput"]["entitlements"]) =>
    api().PUT("/admin/users/{userId}/entitlements", {
      path: { userId: user.userId },
      token: admin.token,
      body: { entitlements },
    }),
  /** `user` reads their followers' outlook (contract 1.2: how many are under notice, the earliest deactivation). */
  readsFollowerOutlook: (user: TestUser) => api().GET("/me/follower-outlook", { token: user.token }),
  /** `user` deletes their own account. */
  deletesOwnAccount: (user: TestUser) => api().DELETE("/me", { token: user.token }),

  /** `author` publishes a post, optionally with an Idempotency-Key. */
  publishes: (author: TestUser, post: Schemas["PostInput"] = aPostInput(), idempotencyKey?: string) =>
    api().POST("/posts", {
      token: author.token,
      body: post,
      ...(idempotencyKey === undefined ? {} : { headers: { "Idempotency-Key": idempotencyKey } }),
    }),
  /** Someone reads a post. */
  readsPost: (postId: string, caller?: TestUser) =>
    api().GET("/posts/{postId}", { path: { postId }, ...tokenOf(caller) }),
  /** `user` changes a post. */
  changesPost: (user: TestUser, postId: string, change: Schemas["PostPatch"]) =>
    api().PATCH("/posts/{postId}", { path: { postId }, token: user.token, body: change }),
  /** `user` deletes a post. */
  deletesPost: (user: TestUser, postId: string) =>
    api().DELETE("/posts/{postId}", { path: { postId }, token: user.token }),
  /** Someone lists an author's posts. */
  listsPostsOf: (author: Someone, caller?: TestUser, page: Page = {}) =>
    api().GET("/users/{userId}/posts", { path: { userId: author.userId }, query: page, ...tokenOf(caller) }),
  /** `reader` reads their feed. */
  readsFeed: (reader: TestUser, page: Page = {}) => api().GET("/feed", { token: reader.token, query: page }),

  /** `follower` follows `followee`. */
  follows: (follower: TestUser, followee: Someone) =>
    api().PUT("/users/{userId}/follow", { path: { userId: followee.userId }, token: follower.token }),
  /** `follower` stops following `followee`. */
  unfollows: (follower: TestUser, followee: Someone) =>
    api().DELETE("/users/{userId}/follow", { path: { userId: followee.userId }, token: follower.token }),
  /** `follower` asks whether they follow `followee`. */
  asksWhetherFollowing: (follower: TestUser, followee: Someone) =>
    api().GET("/users/{userId}/follow", { path: { userId: followee.userId }, token: follower.token }),
  /** Someone lists a user's followers. */
  listsFollowersOf: (user: Someone, caller?: TestUser, page: Page = {}) =>
    api().GET("/users/{userId}/followers", { path: { userId: user.userId }, query: page, ...tokenOf(caller) }),
  /** Someone reads a user's follower history (the recounts and cleanup runs that changed the count). */
  readsFollowerHistoryOf: (user: Someone, caller?: TestUser, page: Page = {}) =>
    api().GET("/users/{userId}/follower-history", { path: { userId: user.userId }, query: page, ...tokenOf(caller) }),
  /** Someone lists whom a user follows. */
  listsFollowingOf: (user: Someone, caller?: TestUser, page: Page = {}) =>
    api().GET("/users/{userId}/following", { path: { userId: user.userId }, query: page, ...tokenOf(caller) }),

  /** `user` comments on a post, optionally with an Idempotency-Key. */
  comments: (user: TestUser, postId: string, text: string, idempotencyKey?: string) =>
    api().POST("/posts/{postId}/comments", {
      path: { postId },
      token: user.token,
      body: { body: text },
      ...(idempotencyKey === undefined ? {} : { headers: { "Idempotency-Key": idempotencyKey } }),
    }),
  /** Someone lists a post's comments. */
  listsCommentsOf: (postId: string, caller?: TestUser, page: Page = {}) =>
    api().GET("/posts/{postId}/comments", { path: { postId }, query: page, ...tokenOf(caller) }),
  /** `user` deletes a comment. */
  deletesComment: (user: TestUser, postId: string, commentId: string) =>
    api().DELETE("/posts/{postId}/comments/{commentId}", { path: { postId, commentId }, token: user.token }),

  /** `admin` starts a cleanup run. */
  startsCleanup: (admin: TestUser, run: Schemas["CleanupRunInput"] = {}) =>
    api().POST("/admin/cleanup-runs", { token: admin.token, body: run }),
  /** `admin` reads a cleanup run. */
  readsCleanupRun: (admin: TestUser, runId: string) =>
    api().GET("/admin/cleanup-runs/{runId}", { path: { runId }, token: admin.token }),
  /** `admin` undoes a cleanup run: restores every account it deactivated that is not purged yet (contract 1.2). */
  undoesCleanupRun: (admin: TestUser, runId: string) =>
    api().POST("/admin/cleanup-runs/{runId}/restore", { path: { runId }, token: admin.token }),
  /** `admin` lists the cleanup runs, newest first. */
  listsCleanupRuns: (admin: TestUser, page: Page = {}) =>
    api().GET("/admin/cleanup-runs", { token: admin.token, query: page }),
  /** `admin` reads the notices of `user`'s deletion schedule. */
  readsNoticesOf: (admin: TestUser, user: Someone, page: Page = {}) =>
    api().GET("/admin/users/{userId}/notices", { path: { userId: user.userId }, token: admin.token, query: page }),
  /** `admin` lists a cleanup run's count changes, by user ID. */
  listsCountChangesOf: (admin: TestUser, runId: string, page: Page = {}) =>
    api().GET("/admin/cleanup-runs/{runId}/count-changes", { path: { runId }, token: admin.token, query: page }),
};
