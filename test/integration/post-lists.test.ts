import { describe, expect, it } from "vitest";
import { encodeCursor } from "../../shared/pagination";
import { api } from "../support/api/in-process";
import type { components } from "../support/api/types";
import { given } from "../support/given";
import { type TestUser } from "../support/host";
import { aPostInput } from "../support/posts";
import { expectNoStorageDetails } from "../support/then";
import { when } from "../support/when";

type Page = components["schemas"]["PostSummaryPage"];

async function page(userId: string, query: { limit?: number; cursor?: string } = {}, token?: string): Promise<Page> {
  const response = await api.GET("/users/{userId}/posts", { path: { userId }, query, ...(token ? { token } : {}) });
  expect(response.status, response.text).toBe(200);
  expectNoStorageDetails(response.text);
  return response.data;
}

async function allPages(userId: string, limit: number, between?: () => Promise<unknown>): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const current: Page = await page(userId, { limit, ...(cursor ? { cursor } : {}) });
    pages.push(current.items.map((item) => item.postId));
    cursor = current.nextCursor;
    if (between) await between();
  } while (cursor);
  return pages;
}

async function publish(author: TestUser, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await given.aPost(author)).postId);
  return ids;
}

describe("GET /users/{userId}/posts", () => {
  it("lists an author's posts newest first, 20 by default, with a cursor to the rest", async () => {
    const author = await given.anAuthor();
    const ids = await publish(author, 23);
    const first = await page(author.userId);
    expect(first.items.map((item) => item.postId)).toEqual(ids.slice(3).reverse());
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await page(author.userId, { cursor: first.nextCursor! });
    expect(second).toEqual({ items: expect.any(Array), nextCursor: null });
    expect(second.items.map((item) => item.postId)).toEqual(ids.slice(0, 3).reverse());
  });

  it("ends with a null cursor when the last page is exactly full", async () => {
    const author = await given.anAuthor();
    const ids = await publish(author, 4);
    expect(await allPages(author.userId, 2)).toEqual([ids.slice(2).reverse(), ids.slice(0, 2).reverse()]);
    expect(await allPages(author.userId, 4)).toEqual([[...ids].reverse()]);
    expect(await allPages(author.userId, 100)).toEqual([[...ids].reverse()]);
  });

  it("answers an empty list for an author without posts and 404 for an unknown user", async () => {
    const reader = await given.aReader();
    expect(await page(reader.userId)).toEqual({ items: [], nextCursor: null });
    const unknown = await when.listsPostsOf({ userId: "nobody-at-all" });
    expect([unknown.status, unknown.error.code]).toEqual([404, "not_found"]);
  });

  it("locks each post for the caller as GET /posts/{postId} does, and never carries a body", async () => {
    const author = await given.anAuthor();
    await given.aPost(author, { access: "free" });
    await given.aPost(author, { access: "plus" });
    await given.aPost(author, { access: "select" });
    const anonymous = await page(author.userId);
    expect(anonymous.items.map((item) => item.locked)).toEqual([true, true, false]);
    expect(anonymous.items.filter((item) => "body" in item)).toEqual([]);
    const own = await page(author.userId, {}, author.token);
    expect(own.items.map((item) => item.locked)).toEqual([false, false, false]);
    expect(own.items.filter((item) => "body" in item)).toEqual([]);
  });

  it.each([
    ["0", "?limit=0"],
    ["101", "?limit=101"],
    ["-1", "?limit=-1"],
    ["a word", "?limit=ten"],
    ["a fraction", "?limit=1.5"],
  ])("answers 400 validation_failed for a limit of %s", async (_, query) => {
    const author = await given.anAuthor();
    const response = await api.unchecked("GET", `/users/${author.userId}/posts${query}`);
    expect(response.status).toBe(400);
    expect(response.error).toMatchObject({ code: "validation_failed", details: [{ field: "limit" }] });
  });

  it("refuses a tampered cursor, another list's cursor and another author's cursor with invalid_cursor", async () => {
    const author = await given.anAuthor();
    const other = await given.anAuthor();
    await publish(author, 3);
    await publish(other, 3);
    const cursor = (await page(author.userId, { limit: 1 })).nextCursor!;
    const otherCursor = (await page(other.userId, { limit: 1 })).nextCursor!;
    const tampered = (cursor[0] === "A" ? "B" : "A") + cursor.slice(1);
    const foreign = encodeCursor(`followers:${author.userId}`, { after: "01ARZ3NDEKTSV4RRFFQ69G5FAV" });
    const wrongShape = encodeCursor(`posts:${author.userId}`, { after: "not-a-ulid" });
    for (const bad of [tampered, otherCursor, foreign, wrongShape, "garbage"]) {
      const response = await when.listsPostsOf(author, undefined, { cursor: bad });
      expect([response.status, response.error.code]).toEqual([400, "invalid_cursor"]);
    }
    // The 400 comes before the 404 of an unknown user.
    const unknown = await when.listsPostsOf({ userId: "nobody" }, undefined, { cursor: "garbage" });
    expect(unknown.status).toBe(400);
  });

  it("pages without gaps or duplicates while the author publishes and others publish at once", async () => {
    const author = await given.anAuthor();
    const before = await publish(author, 25);
    const published: string[] = [];
    // Between every page: three new posts by the author, published concurrently.
    const pages = await allPages(author.userId, 4, async () => {
      const responses = await Promise.all([0, 1, 2].map(() => when.publishes(author, aPostInput())));
      for (const response of responses) {
        expect(response.status).toBe(201);
        published.push(response.data.postId);
      }
    });
    const seen = pages.flat();
    expect(new Set(seen).size).toBe(seen.length);
    // Every post that existed when paging began appears exactly once, in newest-first order.
    expect(seen.filter((id) => before.includes(id))).toEqual([...before].reverse());
    // Posts published after the first page are newer than everything it listed: none of them shows.
    expect(seen.filter((id) => published.includes(id))).toEqual([]);
    const all = await page(author.userId, { limit: 100 });
    expect(all.items).toHaveLength(25 + published.length);
    expect((await when.readsProfileOf(author)).data.postCount).toBe(25 + published.length);
  });

  it("orders posts published concurrently by creation, newest first, with millisecond times", async () => {
    const author = await given.anAuthor();
    const responses = await Promise.all(Array.from({ length: 15 }, () => when.publishes(author, aPostInput())));
    expect(responses.map((response) => response.status)).toEqual(Array(15).fill(201));
    const listed = (await page(author.userId, { limit: 100 })).items;
    expect(listed).toHaveLength(15);
    const times = listed.map((item) => item.publishedAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect((await when.readsProfileOf(author)).data.postCount).toBe(15);
  });
});
