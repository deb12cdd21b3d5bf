import type { AnyOperation } from "../operation";
import * as accounts from "./accounts";
import * as cleanup from "./cleanup";
import * as comments from "./comments";
import * as follows from "./follows";
import * as posts from "./posts";
import * as service from "./service";

/**
 * Every route's operation, by route key (`METHOD /path` as in infra/routes.ts). The route table says where a route
 * runs; this says what it takes and answers. test/unit/openapi.test.ts checks that the two list the same routes.
 */
export const operations: Readonly<Record<string, AnyOperation>> = {
  "GET /health": service.getHealth,
  "GET /openapi.json": service.getOpenApiDocument,
  "GET /docs": service.getReferencePage,
  "GET /docs/reference.js": service.getReferenceScript,
  "PUT /me": accounts.putMe,
  "GET /me": accounts.getMe,
  "GET /me/export": accounts.exportMyData,
  "GET /me/follower-outlook": accounts.getFollowerOutlook,
  "DELETE /me": accounts.deleteMe,
  "GET /users/{userId}": accounts.getUser,
  "GET /handles/{handle}": accounts.getHandle,
  "PUT /admin/users/{userId}/entitlements": accounts.putEntitlements,
  "POST /posts": posts.publishPost,
  "GET /posts/{postId}": posts.getPost,
  "PATCH /posts/{postId}": posts.patchPost,
  "DELETE /posts/{postId}": posts.deletePost,
  "GET /users/{userId}/posts": posts.listUserPosts,
  "GET /feed": posts.getFeed,
  "PUT /users/{userId}/follow": follows.follow,
  "DELETE /users/{userId}/follow": follows.unfollow,
  "GET /users/{userId}/follow": follows.getFollow,
  "GET /users/{userId}/followers": follows.listFollowers,
  "GET /users/{userId}/following": follows.listFollowing,
  "POST /posts/{postId}/comments": comments.writeComment,
  "GET /posts/{postId}/comments": comments.listComments,
  "DELETE /posts/{postId}/comments/{commentId}": comments.deleteComment,
  "POST /admin/cleanup-runs": cleanup.startCleanupRun,
  "GET /admin/cleanup-runs": cleanup.listCleanupRuns,
  "GET /admin/cleanup-runs/{runId}": cleanup.getCleanupRun,
  "GET /admin/cleanup-runs/{runId}/count-changes": cleanup.listCleanupRunCountChanges,
  "POST /admin/cleanup-runs/{runId}/restore": cleanup.restoreCleanupRun,
  "GET /admin/users/{userId}/notices": cleanup.getUserNotices,
  "GET /users/{userId}/follower-history": cleanup.getFollowerHistory,
};

/** Each operation's name in its module (`publishPost`): its `operationId`, which generated clients name methods after. */
export const operationIds: ReadonlyMap<AnyOperation, string> = new Map(
  Object.entries({ ...accounts, ...cleanup, ...comments, ...follows, ...posts, ...service }).map(([name, op]) => [
    op,
    name,
  ]),
);
