import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { RouteDefinition } from "../shared/api/route";

// Every route of the API: each module of shared/api/routes/ declares one (see shared/api/route.ts), and this list is
// that folder, read as it is; there is no list to keep in step. The CDK stack makes one Lambda function and one
// HTTP API route of each, the local server serves the very same handlers from it, and the OpenAPI document is
// built from it (infra/api-description.ts). Only infra/ and the tests import it: a handler imports its own route's
// module alone, so its bundle carries no other route's schemas. test/unit/route-definitions.test.ts fails on a
// definition without its handler, or a handler without its definition.

/** The folder of the route definitions, one module per route, named as its handler in functions/http/. */
const routeDefinitionsFolder = resolve(import.meta.dirname, "../shared/api/routes");

/** The definitions' module names (`get-user`), sorted. */
export const routeModuleNames: readonly string[] = readdirSync(routeDefinitionsFolder)
  .filter((file) => file.endsWith(".ts"))
  .map((file) => file.slice(0, -".ts".length))
  .sort();

async function definitionIn(name: string): Promise<RouteDefinition> {
  const module = (await import(pathToFileURL(resolve(routeDefinitionsFolder, `${name}.ts`)).href)) as {
    route?: RouteDefinition;
  };
  if (!module.route) throw new Error(`shared/api/routes/${name}.ts exports no \`route\` (defineRoute({...}))`);
  return module.route;
}

export const routes: readonly RouteDefinition[] = await Promise.all(routeModuleNames.map(definitionIn));

/** Answers every request that matches no route: 404 `not_found`, or 405 for a known path with another method. */
export const fallbackRoute = {
  entry: "functions/http/route-not-found.ts",
  // The methods of each path, from the API's description (405 names them in `allow`).
  readsApiDescription: true,
} as const;

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

/** A stable, readable name for a route's function, e.g. `GET /users/{userId}` -> `GetUsersUserId`. */
export function routeName(route: Pick<RouteDefinition, "method" | "path">): string {
  const words = [route.method.toLowerCase(), ...route.path.split(/[/{}.-]+/)].filter(Boolean);
  return words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join("");
}
