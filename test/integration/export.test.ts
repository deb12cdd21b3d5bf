import { describe, expect, it } from "vitest";
import { api } from "../support/api/in-process";
import type { Answer, OperationAt } from "../support/api/client";
import type { components } from "../support/api/types";
import { given } from "../support/given";
import { expectStatus, type TestUser } from "../support/host";
import { expectError } from "../support/then";

// GET /me/export (contract 1.1, "Own data"): every record of one's own, in pages under 1 MB, each exactly once.

const ONE_MB = 1_000_000;

type ExportRecord = components["schemas"]["ExportRecord"];

/** Follows the cursors to the end; answers every page as the client received it. */
async function everyExportPage(user: TestUser, limit = 100): Promise<{ items: ExportRecord[]; bytes: number }[]> {
  const pages: { items: ExportRecord[]; bytes: number }[] = [];
  let cursor: string | null = null;
  do {
    const response: Answer<OperationAt<"/me/export", "get">> = await api.GET("/me/export", {
      query: { limit, ...(cursor ? { cursor } : {}) },
      token: user.token,
    });
    expectStatus(response, 200);
    pages.push({ items: response.data.items, bytes: Buffer.byteLength(response.text) });
    cursor = response.data.nextCursor;
  } while (cursor !== null && pages.length < 50);
  return pages;
}

describe("GET /me/export", () => {
  it("exports an author with long posts across many pages under 1 MB, every record exactly once, in order", async () => {
    // Given an author with 12 posts of 50,000 four-byte characters (200 KB each), entitlements, follows, comments.
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const others = [await given.anAuthor(), await given.anAuthor()];
    await given.entitlements(admin, author, [{ tier: "plus" }, { tier: "select", authorId: others[0]!.userId }]);
    for (const other of others) await given.aFollow(author, other);
    const posts = [];
    for (let i = 0; i < 12; i++)
      posts.push(
        await given.aPost(author, {
          title: `Outlook ${i}`,
          body: "📈".repeat(50_000),
          access: i % 2 ? "plus" : "free",
        }),
      );
    const theirPost = await given.aPost(others[0]!);
    const comments = [
      await given.aComment(author, theirPost.postId, "First"),
      await given.aComment(author, posts[0]!.postId, "Second"),
    ];

    // When it follows the cursors to the end.
    const pages = await everyExportPage(author);

    // Then: several pages, each under 1 MB, and every record once, in the contract's order.
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const page of pages) expect(page.bytes).toBeLessThan(ONE_MB);
    const records = pages.flatMap((page) => page.items);
    expect(records.map((record) => record.type)).toEqual([
      "account",
      "entitlement",
      "entitlement",
      "following",
      "following",
      ...posts.map(() => "post"),
      "comment",
      "comment",
    ]);
    expect(records[0]!.data).toMatchObject({
      userId: author.userId,
      handle: author.handle,
      role: "author",
      postCount: 12,
    });
    expect(records.slice(1, 3).map((record) => record.data)).toEqual([
      { tier: "plus" },
      { tier: "select", authorId: others[0]!.userId },
    ]);
    expect(
      records
        .slice(3, 5)
        .map((record) => (record.type === "following" ? record.data.userId : record.type))
        .sort(),
    ).toEqual(others.map((other) => other.userId).sort());
    expect(records[3]!.data).toEqual({
      userId: expect.any(String),
      handle: expect.any(String),
      followedAt: expect.any(String),
    });
    const exportedPosts = records.flatMap((record) => (record.type === "post" ? [record.data] : []));
    expect(exportedPosts.map((post) => post.postId).sort()).toEqual(posts.map((post) => post.postId).sort());
    for (const post of exportedPosts)
      expect(post).toMatchObject({ body: "📈".repeat(50_000), locked: false, authorId: author.userId });
    expect(records.slice(-2).map((record) => record.data)).toEqual(
      comments.map((comment) =>
        expect.objectContaining({ commentId: comment.commentId, body: comment.body, authorId: author.userId }),
      ),
    );
  });

  it("honours limit without losing or repeating a record", async () => {
    const reader = await given.aReader();
    const authors = [await given.anAuthor(), await given.anAuthor(), await given.anAuthor()];
    for (const author of authors) await given.aFollow(reader, author);
    const pages = await everyExportPage(reader, 1);
    expect(pages.map((page) => page.items.length)).toEqual([1, 1, 1, 1]);
    expect(pages.flatMap((page) => page.items).map((record) => record.type)).toEqual([
      "account",
      "following",
      "following",
      "following",
    ]);
  });

  it("answers 404 before PUT /me, 401 without a token, 400 for a tampered or another account's cursor", async () => {
    expectError(await api.GET("/me/export", { token: given.aLocalCaller().token }), 404, "not_found");
    expect((await api.GET("/me/export")).status).toBe(401);
    const reader = await given.aReader();
    const other = await given.aReader();
    // Two records (the account, a follow), so that a page of one has a next cursor: the other account's.
    await given.aFollow(other, reader);
    const first = await api.GET("/me/export", { query: { limit: 1 }, token: other.token });
    expect(first.data.nextCursor).not.toBeNull();
    expectError(
      await api.GET("/me/export", { query: { cursor: first.data.nextCursor! }, token: reader.token }),
      400,
      "invalid_cursor",
    );
    expectError(
      await api.GET("/me/export", { query: { cursor: "abc.def" }, token: reader.token }),
      400,
      "invalid_cursor",
    );
  });
});
