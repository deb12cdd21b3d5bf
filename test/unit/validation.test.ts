import * as z from "zod/mini";
import { describe, expect, it } from "vitest";
import { nestsDeeperThan } from "../../shared/http/middleware/json-body";
import { illFormedText, parseInput } from "../../shared/http/validation";

const schema = z.strictObject({ body: z.string(), count: z.optional(z.number()) });

const detailsOf = (input: unknown) => {
  try {
    parseInput(schema, input);
  } catch (error) {
    return (error as { extra: { details: unknown } }).extra.details;
  }
  throw new Error("expected a validation failure");
};

describe("parseInput", () => {
  it("tells a missing field from one of the wrong type", () => {
    expect(detailsOf({})).toEqual([{ field: "body", message: "is required" }]);
    expect(detailsOf({ body: 5 })).toEqual([{ field: "body", message: "must be a string" }]);
    expect(detailsOf({ body: null })).toEqual([{ field: "body", message: "must be a string" }]);
    expect(detailsOf({ body: "x", count: "1" })).toEqual([{ field: "count", message: "must be a number" }]);
  });

  it("lists each unknown field, and never echoes the input", () => {
    const details = detailsOf({ body: "secret-value", role: "admin" });
    expect(details).toEqual([{ field: "role", message: "is not a known field" }]);
    expect(JSON.stringify(detailsOf({ body: { secret: "value" } }))).not.toContain("value");
  });
});

describe("illFormedText", () => {
  const LONE = "\ud800";
  it("names each lone surrogate by its dotted path, keys included, in document order", () => {
    expect(illFormedText({ a: [LONE, "ok", { b: LONE }], [`k${LONE}`]: { deeper: LONE }, c: LONE })).toEqual(
      ["a.0", "a.2.b", `k${LONE}`, "c"].map((field) => ({
        field,
        message: expect.stringContaining("lone surrogate") as unknown,
      })),
    );
    expect(illFormedText(LONE)).toEqual([{ field: "body", message: expect.any(String) as unknown }]);
  });

  it("stops at its limit", () => {
    expect(illFormedText(Array(1030).fill(LONE), 21)).toHaveLength(21);
  });

  it("walks a value nested 100,000 deep without recursion", () => {
    let deep: unknown = [LONE];
    for (let level = 0; level < 100_000; level++) deep = level % 2 ? [deep] : { k: deep };
    const [problem] = illFormedText(deep);
    expect(problem!.field).toMatch(/^0\.k\.0\.k/);
    expect([...problem!.field].length).toBeLessThanOrEqual(200);
  });
});

describe("nestsDeeperThan", () => {
  it("counts arrays and objects, not brackets inside strings", () => {
    expect(nestsDeeperThan("[[[]]]", 3)).toBe(false);
    expect(nestsDeeperThan("[[[[]]]]", 3)).toBe(true);
    expect(nestsDeeperThan('{"a":{"b":[1]}}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":{"b":[{}]}}', 3)).toBe(true);
    expect(nestsDeeperThan('["[[[[", "\\"[[[[\\\\", {"{{{{": 1}]', 2)).toBe(false);
    expect(nestsDeeperThan("1", 0)).toBe(false);
  });

  it("judges a 256 KiB text in one pass", () => {
    expect(nestsDeeperThan("[".repeat(128 * 1024) + "]".repeat(128 * 1024), 32)).toBe(true);
  });
});
