import * as z from "zod/mini";
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../shared/pagination";

const position = z.strictObject({ at: z.string(), id: z.string() });

describe("cursors", () => {
  it("round-trips a position within its scope", () => {
    const cursor = encodeCursor("posts:alice", { at: "2026-01-01T00:00:00.000Z", id: "X" });
    expect(decodeCursor("posts:alice", cursor, position)).toEqual({ at: "2026-01-01T00:00:00.000Z", id: "X" });
    expect(cursor).not.toMatch(/pk|USER#/);
  });

  it.each([
    ["another list's cursor", (c: string) => c, "posts:bob"],
    ["an edited payload", (c: string) => (c[0] === "A" ? "B" : "A") + c.slice(1), "posts:alice"],
    ["an edited signature", (c: string) => c.slice(0, -2) + (c.endsWith("AA") ? "BB" : "AA"), "posts:alice"],
    ["garbage", () => "%%%", "posts:alice"],
    ["an empty string", () => "", "posts:alice"],
  ])("refuses %s with invalid_cursor", (_, mangle, scope) => {
    const cursor = mangle(encodeCursor("posts:alice", { at: "t", id: "i" }));
    expect(() => decodeCursor(scope, cursor, position)).toThrowError(
      expect.objectContaining({ code: "invalid_cursor" }),
    );
  });

  it("refuses a correctly signed cursor whose position has the wrong shape", () => {
    const cursor = encodeCursor("posts:alice", { at: 5 });
    expect(() => decodeCursor("posts:alice", cursor, position)).toThrowError(
      expect.objectContaining({ code: "invalid_cursor" }),
    );
  });
});
