import { existsSync, readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_ROUTE_TIMEOUT_SECONDS, routeModuleNames, routeName, routes, timeoutSecondsOf } from "../../infra/routes";
import { routeKeyOf } from "../../shared/api/route";

// Each route is declared once, by its module in shared/api/routes/, and served by its handler in functions/http/ of
// the same name; infra/routes.ts reads that folder. A definition without its handler, a handler without its
// definition, or a handler that reads another route's definition fails here.

const root = resolve(import.meta.dirname, "../..");
const handlerFolder = "functions/http";
/** `$default`'s handler: it serves no route of its own (infra/routes.ts `fallbackRoute`). */
const fallbackHandler = "route-not-found";
const handlerNames = readdirSync(resolve(root, handlerFolder))
  .filter((file) => file.endsWith(".ts"))
  .map((file) => file.slice(0, -".ts".length))
  .filter((name) => name !== fallbackHandler)
  .sort();
const definitionImports = (source: string) =>
  [...source.matchAll(/from "[./]*shared\/api\/routes\/([\w-]+)"/g)].map(([, name]) => name);
const unique = (values: readonly string[]) => values.filter((value, index) => values.indexOf(value) !== index);

describe("the route definitions", () => {
  it("are one module per handler, named as it: no definition without its handler, no handler without its definition", () => {
    expect(routeModuleNames).toEqual(handlerNames);
  });

  it.each(routes.map((route, index) => ({ key: routeKeyOf(route), route, name: routeModuleNames[index]! })))(
    "$key: its entry is its handler of the same name, which reads its definition and no other",
    ({ route, name }) => {
      expect(route.entry).toBe(`${handlerFolder}/${name}.ts`);
      expect(existsSync(resolve(root, route.entry))).toBe(true);
      expect(definitionImports(readFileSync(resolve(root, route.entry), "utf8"))).toEqual([name]);
    },
  );

  it("leave the fallback handler without any route's definition", () => {
    const source = readFileSync(resolve(root, handlerFolder, `${fallbackHandler}.ts`), "utf8");
    expect(definitionImports(source)).toEqual([]);
  });

  it("each name one method and path, one operationId and one function name", () => {
    expect(unique(routes.map(routeKeyOf))).toEqual([]);
    expect(unique(routes.map((route) => route.operationId))).toEqual([]);
    expect(unique(routes.map(routeName))).toEqual([]);
  });

  it("end before API Gateway's integration timeout", () => {
    const tooLong = routes.filter((route) => timeoutSecondsOf(route) > MAX_ROUTE_TIMEOUT_SECONDS);
    expect(tooLong.map(routeKeyOf)).toEqual([]);
  });
});
