import { describe, expect, it } from "vitest";
import { parseGroups, roleFromGroups } from "../../shared/domain/roles";

describe("parseGroups", () => {
  it.each([
    ["a JSON array from a verified token", ["authors", "admins"], ["authors", "admins"]],
    ["API Gateway's bracketed form", "[authors admins]", ["authors", "admins"]],
    ["a bracketed single group", "[authors]", ["authors"]],
    ["an empty bracket", "[]", []],
    ["a JSON array as a string", '["authors","admins"]', ["authors", "admins"]],
    ["a bare group", "admins", ["admins"]],
    ["no claim", undefined, []],
    ["a number", 5, []],
  ])("reads %s", (_, claim, groups) => {
    expect(parseGroups(claim)).toEqual(groups);
  });
});

describe("roleFromGroups", () => {
  it("prefers admin over author over reader", () => {
    expect(roleFromGroups(["authors", "admins"])).toBe("admin");
    expect(roleFromGroups(["authors"])).toBe("author");
    expect(roleFromGroups(["traders"])).toBe("reader");
    expect(roleFromGroups([])).toBe("reader");
  });
});
