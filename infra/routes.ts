import { referenceScriptFile } from "../shared/api/reference-page";

// The one route table. The CDK stack makes one Lambda function and one HTTP API route of each entry; the
// local server serves the very same handlers from it. Plain data: no CDK import, so handlers may read it too.
// What each route takes and answers is its operation in shared/api/operations (the OpenAPI document's source).

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A DynamoDB action an IAM policy may grant on the table (transactions are granted item by item). */
export type TableAction =
  | "GetItem"
  | "BatchGetItem"
  | "Query"
  | "PutItem"
  | "UpdateItem"
  | "DeleteItem"
  | "BatchWriteItem"
  | "ConditionCheckItem";

/**
 * What every request that carries a token does: it loads the caller's account (Query: the profile and its count
 * shards) and marks the caller active (a conditional UpdateItem of that account; contract: Activity). A request of a
 * deactivated account within its grace restores it (contract 1.2; shared/use-cases/cleanup/restore.ts: the flip and
 * the relations it settles within its budget, each a transaction that puts, updates, deletes and checks items; the
 * restore's registry entry by GetItem, each touched account's record by PutItem), and a request that withdraws a
 * notice schedule takes the caller out of its followees' outlooks (the same kinds of writes), whatever the route.
 */
export const callerAccess = [
  "Query",
  "UpdateItem",
  "GetItem",
  "PutItem",
  "DeleteItem",
  "ConditionCheckItem",
] as const satisfies readonly TableAction[];

/** A route's grant: what every signed-in request does, and what its own code calls besides (each action once). */
const withCaller = (...own: TableAction[]): TableAction[] => [...new Set<TableAction>([...callerAccess, ...own])];

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway's path template, e.g. `/users/{userId}`. */
  path: string;
  /** The handler's file, relative to the project root; it exports `handler`. */
  entry: string;
  /** "jwt": API Gateway's JWT authorizer guards the route; "public": the handler verifies an optional token. */
  auth: "jwt" | "public";
  /**
   * The handler's IAM grant: exactly the DynamoDB actions its code calls, each on the table (no route reads an
   * index: read-your-writes). Proven both ways by test/integration/iam.test.ts: a call the grant lacks, or a grant
   * no call uses, fails the tests, naming the route and the action.
   */
  tableAccess: readonly TableAction[];
  /**
   * The route starts cleanup runs: in AWS its function may start executions of the cleanup state machine (that
   * one action on that one state machine) and gets CLEANUP_RUNNER=step-functions.
   */
  startsCleanup?: true;
  /**
   * The function's timeout in seconds (default DEFAULT_TIMEOUT_SECONDS), read by the CDK stack and by the local
   * host alike, so a handler that runs longer fails here as it would in AWS. At most 29: API Gateway's
   * integration timeout (30 s) would answer 503 before a longer function ended.
   */
  timeoutSeconds?: number;
  /**
   * Files the handler reads at run time: in AWS, gzip-compressed copies written beside its bundle when the stack
   * bundles it (`bundled`: the copy's name there); locally, read from the project (`source`).
   */
  gzippedFiles?: readonly { source: string; bundled: string }[];
}

/**
 * A handler makes a few DynamoDB calls: 10 s leaves room for the SDK's retries when the table throttles, yet
 * fails well before API Gateway's 30 s integration limit.
 */
export const DEFAULT_TIMEOUT_SECONDS = 10;
/** API Gateway HTTP APIs end an integration after 30 s; a function must end before. */
export const MAX_ROUTE_TIMEOUT_SECONDS = 29;

/** A route's function timeout, as the stack deploys it and the local host enforces it. */
export function timeoutSecondsOf(route: Pick<RouteDefinition, "timeoutSeconds">): number {
  return route.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
}

export const routes: readonly RouteDefinition[] = [
  {
    method: "GET",
    path: "/health",
    entry: "functions/http/get-health.ts",
    auth: "public",
    tableAccess: withCaller(),
  },
  {
    method: "GET",
    path: "/openapi.json",
    entry: "functions/http/get-openapi.ts",
    auth: "public",
    tableAccess: withCaller(),
  },
  { method: "GET", path: "/docs", entry: "functions/http/get-docs.ts", auth: "public", tableAccess: withCaller() },
  {
    method: "GET",
    path: "/docs/reference.js",
    entry: "functions/http/get-docs-script.ts",
    auth: "public",
    tableAccess: withCaller(),
    gzippedFiles: [referenceScriptFile],
  },
  {
    method: "PUT",
    path: "/me",
    entry: "functions/http/put-me.ts",
    auth: "jwt",
    tableAccess: withCaller("PutItem", "DeleteItem"),
  },
  { method: "GET", path: "/me", entry: "functions/http/get-me.ts", auth: "jwt", tableAccess: withCaller() },
  {
    method: "GET",
    path: "/me/export",
    entry: "functions/http/get-me-export.ts",
    auth: "jwt",
    // The lists (Query) and, by BatchGetItem, the followed accounts' names, the posts' bodies and the comments.
    tableAccess: withCaller("BatchGetItem"),
  },
  {
    method: "GET",
    path: "/me/follower-outlook",
    entry: "functions/http/get-me-follower-outlook.ts",
    auth: "jwt",
    // The caller's account (its shards' `underNotice`) and the first entry of its outlook: two Queries.
    tableAccess: withCaller(),
  },
  {
    method: "DELETE",
    path: "/me",
    entry: "functions/http/delete-me.ts",
    auth: "jwt",
    tableAccess: withCaller("GetItem", "PutItem", "DeleteItem", "BatchWriteItem"),
  },
  {
    method: "GET",
    path: "/users/{userId}",
    entry: "functions/http/get-user.ts",
    auth: "public",
    tableAccess: withCaller(),
  },
  {
    method: "GET",
    path: "/handles/{handle}",
    entry: "functions/http/get-handle.ts",
    auth: "public",
    tableAccess: withCaller("GetItem"),
  },
  {
    method: "PUT",
    path: "/admin/users/{userId}/entitlements",
    entry: "functions/http/put-entitlements.ts",
    auth: "jwt",
    tableAccess: withCaller(),
  },
  {
    method: "POST",
    path: "/posts",
    entry: "functions/http/post-posts.ts",
    auth: "jwt",
    tableAccess: withCaller("PutItem"),
  },
  {
    method: "GET",
    path: "/posts/{postId}",
    entry: "functions/http/get-post.ts",
    auth: "public",
    tableAccess: withCaller("BatchGetItem"),
  },
  {
    method: "PATCH",
    path: "/posts/{postId}",
    entry: "functions/http/patch-post.ts",
    auth: "jwt",
    // A change of access moves the body to its new key: a transaction that puts one item and deletes another.
    tableAccess: withCaller("BatchGetItem", "PutItem", "DeleteItem"),
  },
  {
    method: "DELETE",
    path: "/posts/{postId}",
    entry: "functions/http/delete-post.ts",
    auth: "jwt",
    tableAccess: withCaller("GetItem", "DeleteItem", "BatchWriteItem"),
  },
  {
    method: "GET",
    path: "/users/{userId}/posts",
    entry: "functions/http/get-user-posts.ts",
    auth: "public",
    tableAccess: withCaller(),
  },
  {
    method: "PUT",
    path: "/users/{userId}/follow",
    entry: "functions/http/put-follow.ts",
    auth: "jwt",
    tableAccess: withCaller("GetItem", "PutItem"),
  },
  {
    method: "DELETE",
    path: "/users/{userId}/follow",
    entry: "functions/http/delete-follow.ts",
    auth: "jwt",
    tableAccess: withCaller("GetItem", "DeleteItem"),
  },
  {
    method: "GET",
    path: "/users/{userId}/follow",
    entry: "functions/http/get-follow.ts",
    auth: "jwt",
    tableAccess: withCaller("GetItem"),
  },
  {
    method: "GET",
    path: "/users/{userId}/followers",
    entry: "functions/http/get-followers.ts",
    auth: "public",
    tableAccess: withCaller("GetItem", "BatchGetItem"),
  },
  {
    method: "GET",
    path: "/users/{userId}/following",
    entry: "functions/http/get-following.ts",
    auth: "public",
    tableAccess: withCaller("GetItem", "BatchGetItem"),
  },
  {
    method: "POST",
    path: "/posts/{postId}/comments",
    entry: "functions/http/post-comments.ts",
    auth: "jwt",
    tableAccess: withCaller("GetItem", "PutItem", "ConditionCheckItem"),
  },
  {
    method: "GET",
    path: "/posts/{postId}/comments",
    entry: "functions/http/get-comments.ts",
    auth: "public",
    tableAccess: withCaller("GetItem"),
  },
  {
    method: "DELETE",
    path: "/posts/{postId}/comments/{commentId}",
    entry: "functions/http/delete-comment.ts",
    auth: "jwt",
    tableAccess: withCaller("BatchGetItem", "DeleteItem"),
  },
  {
    method: "GET",
    path: "/users/{userId}/follower-history",
    entry: "functions/http/get-follower-history.ts",
    auth: "public",
    tableAccess: withCaller("GetItem"),
  },
  {
    method: "POST",
    path: "/admin/cleanup-runs",
    entry: "functions/http/post-cleanup-runs.ts",
    auth: "jwt",
    tableAccess: withCaller("GetItem", "PutItem"),
    startsCleanup: true,
  },
  {
    method: "GET",
    path: "/admin/cleanup-runs",
    entry: "functions/http/get-cleanup-runs.ts",
    auth: "jwt",
    tableAccess: withCaller(),
  },
  {
    method: "GET",
    path: "/admin/cleanup-runs/{runId}",
    entry: "functions/http/get-cleanup-run.ts",
    auth: "jwt",
    tableAccess: withCaller("GetItem"),
  },
  {
    method: "POST",
    path: "/admin/cleanup-runs/{runId}/restore",
    entry: "functions/http/post-cleanup-run-restore.ts",
    auth: "jwt",
    // The run and its undo (GetItem), the lease and the run's `undo` in one transaction; then the runner.
    tableAccess: withCaller(),
    startsCleanup: true,
  },
  {
    method: "GET",
    path: "/admin/cleanup-runs/{runId}/count-changes",
    entry: "functions/http/get-cleanup-run-count-changes.ts",
    auth: "jwt",
    // The run's record (is it known?) and a Query of its count changes.
    tableAccess: [...callerAccess, "GetItem"],
  },
  {
    method: "GET",
    path: "/admin/users/{userId}/notices",
    entry: "functions/http/get-user-notices.ts",
    auth: "jwt",
    // The account's profile with its schedule: the same Query as the caller's own load.
    tableAccess: withCaller(),
  },

  {
    method: "GET",
    path: "/feed",
    entry: "functions/http/get-feed.ts",
    auth: "jwt",
    tableAccess: withCaller("BatchGetItem"),
  },
];

/** Answers every request that matches no route: 404 `not_found`, or 405 for a known path with another method. */
export const fallbackRoute = { entry: "functions/http/route-not-found.ts" } as const;

/** A stable, readable name for a route's function, e.g. `GET /users/{userId}` -> `GetUsersUserId`. */
export function routeName(route: Pick<RouteDefinition, "method" | "path">): string {
  const words = [route.method.toLowerCase(), ...route.path.split(/[/{}.-]+/)].filter(Boolean);
  return words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join("");
}
