import * as z from "zod/mini";
import { describe, expect, it } from "vitest";
import { parseInput } from "../../shared/http/validation";

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
