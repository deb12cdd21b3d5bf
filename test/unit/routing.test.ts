import { describe, expect, it } from "vitest";
import { matchRoute } from "../../shared/http/routing";

const table = [
  { method: "GET", path: "/users/{userId}" },
  { method: "GET", path: "/users/{userId}/posts" },
  { method: "PUT", path: "/me" },
  { method: "GET", path: "/me" },
];

describe("matchRoute", () => {
  it("binds decoded path parameters", () => {
    expect(matchRoute(table, "GET", "/users/a%20b").match?.pathParameters).toEqual({ userId: "a b" });
    expect(matchRoute(table, "GET", "/users/x/posts").match?.route.path).toBe("/users/{userId}/posts");
  });

  it("reports the allowed methods of a known path", () => {
    expect(matchRoute(table, "POST", "/me")).toEqual({ match: null, allowedMethods: ["PUT", "GET"] });
    expect(matchRoute(table, "GET", "/nowhere")).toEqual({ match: null, allowedMethods: [] });
    expect(matchRoute(table, "GET", "/users/").match).toBeNull();
  });
});
