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

  // Issue 23: the signature's 16 bytes take 22 base64url characters, the last one with 4 unused low bits; Node's
  // decoder ignores them, so 16 spellings of one cursor were accepted.
  const base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const withLastCharacter = (text: string, change: (index: number) => number) =>
    text.slice(0, -1) + base64url[change(base64url.indexOf(text.at(-1)!))];

  it.each([
    ["other unused low bits in the signature's last character", (c: string) => withLastCharacter(c, (i) => i ^ 1)],
    [
      "the highest unused low bits in the signature's last character",
      (c: string) => withLastCharacter(c, (i) => i | 15),
    ],
    ["padding", (c: string) => `${c}==`],
    ["a character outside the alphabet in the signature", (c: string) => c.replace(".", ".!")],
    ["standard base64's characters", (c: string) => c.replaceAll("-", "+").replaceAll("_", "/")],
    ["a space in the signature", (c: string) => c.replace(".", ". ")],
  ])("refuses another spelling of a valid cursor: %s", (_, respell) => {
    const cursor = encodeCursor("posts:alice", { at: "t", id: "i" });
    const other = respell(cursor);
    if (other === cursor) return; // this cursor has nothing to respell that way (no "-" or "_")
    expect(Buffer.from(other.split(".")[1]!, "base64url")).toEqual(Buffer.from(cursor.split(".")[1]!, "base64url"));
    expect(() => decodeCursor("posts:alice", other, position)).toThrowError(
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
