// The one route table. The CDK stack makes one Lambda function and one HTTP API route of each entry; the
// local server serves the very same handlers from it. Plain data: no CDK import, so handlers may read it too.

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway's path template, e.g. `/users/{userId}`. */
  path: string;
  /** The handler's file, relative to the project root; it exports `handler`. */
  entry: string;
  /** "jwt": API Gateway's JWT authorizer guards the route; "public": the handler verifies an optional token. */
  auth: "jwt" | "public";
}

export const routes: readonly RouteDefinition[] = [
  { method: "GET", path: "/health", entry: "functions/http/get-health.ts", auth: "public" },
  { method: "PUT", path: "/me", entry: "functions/http/put-me.ts", auth: "jwt" },
  { method: "GET", path: "/me", entry: "functions/http/get-me.ts", auth: "jwt" },
  { method: "GET", path: "/users/{userId}", entry: "functions/http/get-user.ts", auth: "public" },
  { method: "GET", path: "/handles/{handle}", entry: "functions/http/get-handle.ts", auth: "public" },
  {
    method: "PUT",
    path: "/admin/users/{userId}/entitlements",
    entry: "functions/http/put-entitlements.ts",
    auth: "jwt",
  },
  { method: "PUT", path: "/users/{userId}/follow", entry: "functions/http/put-follow.ts", auth: "jwt" },
  { method: "DELETE", path: "/users/{userId}/follow", entry: "functions/http/delete-follow.ts", auth: "jwt" },
  { method: "GET", path: "/users/{userId}/follow", entry: "functions/http/get-follow.ts", auth: "jwt" },
  { method: "GET", path: "/users/{userId}/followers", entry: "functions/http/get-followers.ts", auth: "public" },
  { method: "GET", path: "/users/{userId}/following", entry: "functions/http/get-following.ts", auth: "public" },
];

/** Answers every request that matches no route: 404 `not_found`, or 405 for a known path with another method. */
export const fallbackRoute = { entry: "functions/http/route-not-found.ts" } as const;

/** A stable, readable name for a route's function, e.g. `GET /users/{userId}` -> `GetUsersUserId`. */
export function routeName(route: Pick<RouteDefinition, "method" | "path">): string {
  const words = [route.method.toLowerCase(), ...route.path.split(/[/{}-]+/)].filter(Boolean);
  return words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join("");
}
