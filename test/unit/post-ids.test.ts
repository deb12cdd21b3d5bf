import { describe, expect, it } from "vitest";
import {
  decodePostId,
  defaultTeaser,
  derivedTeaser,
  encodePostId,
  shownTeaser,
  toPostSummaryView,
  toPostView,
  type Post,
} from "../../shared/domain/posts";
import { ulid } from "../../shared/ids";

describe("post IDs", () => {
  it("round-trip the author and the ULID, opaquely", () => {
    const ref = { authorId: "author-0f3c#x", id: ulid() };
    const postId = encodePostId(ref);
    expect(postId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(postId).not.toContain(ref.authorId);
    expect(decodePostId(postId)).toEqual(ref);
  });

  it.each([
    ["empty", ""],
    ["not base64url", "abc+/="],
    ["not a ULID", Buffer.from(`${"a".repeat(26)}.author`).toString("base64url")],
    ["no author", Buffer.from(`${ulid()}.`).toString("base64url")],
    ["no separator", Buffer.from(`${ulid()}author`).toString("base64url")],
    ["an author ID over 128 characters", Buffer.from(`${ulid()}.${"a".repeat(129)}`).toString("base64url")],
    ["too long", "A".repeat(257)],
  ])("refuse %s", (_, postId) => {
    expect(decodePostId(postId)).toBeNull();
  });

  it("refuse a non-canonical spelling of a valid ID", () => {
    // 26 + 1 + 1 = 28 bytes: the last base64url character carries 4 unused bits, so flipping its lowest
    // bit spells the very same bytes differently.
    const postId = encodePostId({ authorId: "a", id: ulid() });
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const twin = postId.slice(0, -1) + alphabet[alphabet.indexOf(postId.at(-1)!) ^ 1];
    expect(twin).not.toBe(postId);
    expect(Buffer.from(twin, "base64url")).toEqual(Buffer.from(postId, "base64url"));
    expect(decodePostId(twin)).toBeNull();
    expect(decodePostId(postId)).not.toBeNull();
  });
});

describe("teasers and views", () => {
  it("derive the teaser from the first 280 code points of the body", () => {
    expect(defaultTeaser("😀".repeat(300))).toBe("😀".repeat(280));
    expect(defaultTeaser("short")).toBe("short");
  });

  it("derive a free post's teaser from its body and a paid post's as empty", () => {
    expect(derivedTeaser("free", "😀".repeat(300))).toBe("😀".repeat(280));
    expect(derivedTeaser("plus", "Long DAX at 18,500, stop 18,300")).toBe("");
    expect(derivedTeaser("select", "Long DAX at 18,500, stop 18,300")).toBe("");
  });

  it("never show a paid post's teaser derived before 1.1, and always an author's", () => {
    expect(shownTeaser({ access: "plus", customTeaser: false, teaser: "Long DAX at 18,500" })).toBe("");
    expect(shownTeaser({ access: "select", customTeaser: true, teaser: "Mine" })).toBe("Mine");
    expect(shownTeaser({ access: "free", customTeaser: false, teaser: "The start" })).toBe("The start");
  });

  it("hide the body of a locked post", () => {
    const post: Post = {
      postId: "p",
      authorId: "a",
      title: "t",
      body: "secret",
      teaser: "s",
      customTeaser: false,
      access: "plus",
      category: "analysis",
      tags: [],
      publishedAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
      commentCount: 0,
    };
    expect(toPostView(post, false)).toEqual({
      postId: "p",
      authorId: "a",
      title: "t",
      teaser: "s",
      access: "plus",
      category: "analysis",
      tags: [],
      publishedAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
      commentCount: 0,
      locked: true,
    });
    expect(toPostView(post, true)).toMatchObject({ body: "secret", locked: false });
    // A summary never carries the body, readable or not.
    expect(toPostSummaryView(post, true)).not.toHaveProperty("body");
    expect(toPostSummaryView(post, true)).toEqual({ ...toPostView(post, false), locked: false });
  });
});
