import { referenceScriptFile } from "../shared/api/reference-page";

// The one route table. The CDK stack makes one Lambda function and one HTTP API route of each entry; the
// local server serves the very same handlers from it. Plain data: no CDK import, so handlers may read it too.
// What each route takes and answers is its operation in shared/api/operations (the OpenAPI document's source).

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway's path template, e.g. `/users/{userId}`. */
  path: string;
  /** The handler's file, relative to the project root; it exports `handler`. */
  entry: string;
  /** "jwt": API Gateway's JWT authorizer guards the route; "public": the handler verifies an optional token. */
  auth: "jwt" | "public";
  /**
   * The handler's IAM grant on the table (least privilege; the CDK stack refuses a route without it).
   * "read": GetItem, BatchGetItem, Query, plus UpdateItem, because every request that carries a token marks
   * the caller active (contract: Activity), a conditional update of the caller's own account item.
   * "readWrite": also PutItem, DeleteItem, BatchWriteItem and ConditionCheckItem (transactions).
   */
  tableAccess: "read" | "readWrite";
  /**
   * The route starts cleanup runs: in AWS its function may start executions of the cleanup state machine (that
   * one action on that one state machine) and gets CLEANUP_RUNNER=step-functions.
   */
  startsCleanup?: true;
  /**
   * Files the handler reads at run time: in AWS, gzip-compressed copies written beside its bundle when the stack
   * bundles it (`bundled`: the copy's name there); locally, read from the project (`source`).
   */
  gzippedFiles?: readonly { source: string; bundled: string }[];
}

export const routes: readonly RouteDefinition[] = [
  { method: "GET", path: "/health", entry: "functions/http/get-health.ts", auth: "public", tableAccess: "read" },
  { method: "GET", path: "/openapi.json", entry: "functions/http/get-openapi.ts", auth: "public", tableAccess: "read" },
  { method: "GET", path: "/docs", entry: "functions/http/get-docs.ts", auth: "public", tableAccess: "read" },
  {
    method: "GET",
    path: "/docs/reference.js",
    entry: "functions/http/get-docs-script.ts",
    auth: "public",
    tableAccess: "read",
    gzippedFiles: [referenceScriptFile],
  },
  { method: "PUT", path: "/me", entry: "functions/http/put-me.ts", auth: "jwt", tableAccess: "readWrite" },
  { method: "GET", path: "/me", entry: "functions/http/get-me.ts", auth: "jwt", tableAccess: "read" },
  { method: "DELETE", path: "/me", entry: "functions/http/delete-me.ts", auth: "jwt", tableAccess: "readWrite" },
  { method: "GET", path: "/users/{userId}", entry: "functions/http/get-user.ts", auth: "public", tableAccess: "read" },
  {
    method: "GET",
    path: "/handles/{handle}",
    entry: "functions/http/get-handle.ts",
    auth: "public",
    tableAccess: "read",
  },
  {
    method: "PUT",
    path: "/admin/users/{userId}/entitlements",
    entry: "functions/http/put-entitlements.ts",
    auth: "jwt",
    tableAccess: "readWrite",
  },
  { method: "POST", path: "/posts", entry: "functions/http/post-posts.ts", auth: "jwt", tableAccess: "readWrite" },
  { method: "GET", path: "/posts/{postId}", entry: "functions/http/get-post.ts", auth: "public", tableAccess: "read" },
  { method: "PATCH", path: "/posts/{postId}", entry: "functions/http/patch-post.ts", auth: "jwt", tableAccess: "readWrite" },
  { method: "DELETE", path: "/posts/{postId}", entry: "functions/http/delete-post.ts", auth: "jwt", tableAccess: "readWrite" },
  {
    method: "GET",
    path: "/users/{userId}/posts",
    entry: "functions/http/get-user-posts.ts",
    auth: "public",
    tableAccess: "read",
  },
  { method: "PUT", path: "/users/{userId}/follow", entry: "functions/http/put-follow.ts", auth: "jwt", tableAccess: "readWrite" },
  { method: "DELETE", path: "/users/{userId}/follow", entry: "functions/http/delete-follow.ts", auth: "jwt", tableAccess: "readWrite" },
  { method: "GET", path: "/users/{userId}/follow", entry: "functions/http/get-follow.ts", auth: "jwt", tableAccess: "read" },
  { method: "GET", path: "/users/{userId}/followers", entry: "functions/http/get-followers.ts", auth: "public", tableAccess: "read" },
  { method: "GET", path: "/users/{userId}/following", entry: "functions/http/get-following.ts", auth: "public", tableAccess: "read" },
  { method: "POST", path: "/posts/{postId}/comments", entry: "functions/http/post-comments.ts", auth: "jwt", tableAccess: "readWrite" },
  { method: "GET", path: "/posts/{postId}/comments", entry: "functions/http/get-comments.ts", auth: "public", tableAccess: "read" },
  {
    method: "DELETE",
    path: "/posts/{postId}/comments/{commentId}",
    entry: "functions/http/delete-comment.ts",
    auth: "jwt",
    tableAccess: "readWrite",
  },
  {
    method: "GET",
    path: "/users/{userId}/follower-history",
    entry: "functions/http/get-follower-history.ts",
    auth: "public",
    tableAccess: "read",
  },
  {
    method: "POST",
    path: "/admin/cleanup-runs",
    entry: "functions/http/post-cleanup-runs.ts",
    auth: "jwt",
    tableAccess: "readWrite",
    startsCleanup: true,
  },
  { method: "GET", path: "/admin/cleanup-runs", entry: "functions/http/get-cleanup-runs.ts", auth: "jwt", tableAccess: "read" },
  {
    method: "GET",
    path: "/admin/cleanup-runs/{runId}",
    entry: "functions/http/get-cleanup-run.ts",
    auth: "jwt",
    tableAccess: "read",
  },
  { method: "GET", path: "/feed", entry: "functions/http/get-feed.ts", auth: "jwt", tableAccess: "read" },
];

/** Answers every request that matches no route: 404 `not_found`, or 405 for a known path with another method. */
export const fallbackRoute = { entry: "functions/http/route-not-found.ts" } as const;

/** A stable, readable name for a route's function, e.g. `GET /users/{userId}` -> `GetUsersUserId`. */
export function routeName(route: Pick<RouteDefinition, "method" | "path">): string {
  const words = [route.method.toLowerCase(), ...route.path.split(/[/{}.-]+/)].filter(Boolean);
  return words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join("");
}
