import { describe, expect, it } from "vitest";
import { authorizeLocally } from "../../infra/local/authorizer";
import { parseGroups, roleFromGroups } from "../../shared/domain/roles";
import { signHs256 } from "../../shared/http/jwt-hs256";

describe("parseGroups: exact group names, in the contract's two forms only", () => {
  it.each([
    ["a JSON array from a verified token", ["authors", "admins"], ["authors", "admins"]],
    ["API Gateway's bracketed form", "[authors admins]", ["authors", "admins"]],
    ["a bracketed single group", "[authors]", ["authors"]],
    ["an empty bracket", "[]", []],
    ["an empty array", [], []],
    ["no claim", undefined, []],
    ["a number", 5, []],
  ])("reads %s", (_, claim, groups) => {
    expect(parseGroups(claim)).toEqual(groups);
  });

  // Issue 23: each of these made an admin.
  it.each([
    ["a comma-separated string", "authors,admins", []],
    ["a name with a trailing space", ["admins "], []],
    ["a name holding a space", ["x admins"], []],
    ["a nested array", [["admins"]], []],
    ["a bare group, not a form", "admins", []],
    ["a JSON array as a string, not a form", '["authors","admins"]', ['"authors","admins"']],
    ["a bracket with a comma", "[authors,admins]", ["authors,admins"]],
    ["a bracket with two spaces", "[authors  admins]", []],
    ["a bracket with a leading space", "[ admins]", []],
    ["a bracket with a tab", "[x\tadmins]", []],
    ["text around the bracket", " [admins]", []],
  ])("names no admin in %s", (_, claim, groups) => {
    expect(parseGroups(claim)).toEqual(groups);
    expect(roleFromGroups(parseGroups(claim))).not.toBe("admin");
  });
});

describe("the local authorizer's claims", () => {
  const groupsClaim = (groups: unknown) =>
    authorizeLocally(`Bearer ${signHs256({ sub: "s", "cognito:groups": groups }, "k")}`, "k")?.["cognito:groups"];

  it("hands an array of group names over as API Gateway does", () => {
    expect(groupsClaim(["authors", "admins"])).toBe("[authors admins]");
    expect(groupsClaim([])).toBe("[]");
  });

  it("leaves out what no group of the pool can be named, so that it reads as no group", () => {
    expect(groupsClaim(["x admins"])).toBe("[]");
    expect(groupsClaim(["admins ", "authors"])).toBe("[authors]");
    expect(groupsClaim([["admins"]])).toBe("[]");
    expect(parseGroups(groupsClaim("authors,admins"))).toEqual([]);
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
