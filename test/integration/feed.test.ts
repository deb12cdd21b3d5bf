import { describe, expect, it } from "vitest";
import { encodeCursor } from "../../shared/pagination";
import { api } from "../support/api/in-process";
import type { components } from "../support/api/types";
import { expectAuthorizerRefusal } from "../support/gateway";
import { given } from "../support/given";
import { expectStatus, type TestUser } from "../support/host";
import { aPostInput } from "../support/posts";
import { expectError, expectNoStorageDetails } from "../support/then";
import { when } from "../support/when";

type FeedPage = components["schemas"]["PostSummaryPage"];
type FeedItem = FeedPage["items"][number];
type Entitlements = components["schemas"]["EntitlementsInput"]["entitlements"];
type Page = { limit?: number; cursor?: string };

async function feed(reader: TestUser, page: Page = {}): Promise<FeedPage> {
  const response = await when.readsFeed(reader, page);
  expect(response.status, response.text).toBe(200);
  expectNoStorageDetails(response.text);
  return response.data;
}

const withCursor = (limit: number, cursor: string | null): Page => ({ limit, ...(cursor ? { cursor } : {}) });

/** Every page of the reader's feed, checking that each page but the last is full. */
async function wholeFeed(
  reader: TestUser,
  limit: number,
  between?: (page: number) => Promise<void>,
): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const page: FeedPage = await feed(reader, withCursor(limit, cursor));
    if (page.nextCursor !== null) expect(page.items).toHaveLength(limit);
    pages.push(page.items.map((item) => item.postId));
    cursor = page.nextCursor;
    if (between) await between(pages.length);
  } while (cursor !== null && pages.length < 100);
  return pages;
}

/** Publishes `rounds` posts per author, round after round, so their posts interleave in time. */
async function interleaved(authors: TestUser[], rounds: number): Promise<string[]> {
  const ids: string[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const author of authors) ids.push((await given.aPost(author)).postId);
  }
  return ids;
}

describe("GET /feed", () => {
  it("merges the followed authors' posts newest first, 20 by default, in the list shape", async () => {
    const [reader, a, b, c, stranger] = [
      await given.aReader(),
      await given.anAuthor(),
      await given.anAuthor(),
      await given.anAuthor(),
      await given.anAuthor(),
    ];
    for (const author of [a, b, c]) await given.aFollow(reader, author);
    const ids = await interleaved([a, b, c, stranger], 8); // 24 followed posts, 8 of a stranger's
    const strangers = new Set(ids.filter((_, i) => i % 4 === 3));
    const expected = ids.filter((id) => !strangers.has(id)).reverse();
    const first = await feed(reader);
    expect(Object.keys(first).sort()).toEqual(["items", "nextCursor"]);
    expect(first.items.map((item) => item.postId)).toEqual(expected.slice(0, 20));
    expect(first.nextCursor).toEqual(expect.any(String));
    // Summaries: never a body, even of a post the reader may read (contract 1.1).
    expect(first.items[0]).toMatchObject({ authorId: c.userId, locked: false });
    expect(first.items.filter((item) => "body" in item)).toEqual([]);
    const second = await feed(reader, { cursor: first.nextCursor! });
    expect(second.items.map((item) => item.postId)).toEqual(expected.slice(20));
    expect(second.nextCursor).toBeNull();
    // Newest first by publication, as `publishedAt` shows.
    const times = first.items.map((item) => item.publishedAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it("pages through every post once, without gaps or duplicates, ending on a full page when it must", async () => {
    const reader = await given.aReader();
    const authors = [await given.anAuthor(), await given.anAuthor(), await given.anAuthor(), await given.anAuthor()];
    for (const author of authors) await given.aFollow(reader, author);
    const ids = await interleaved(authors, 6); // 24 posts
    // The authors publish unevenly too: six more by one of them.
    for (let i = 0; i < 6; i++) ids.push((await given.aPost(authors[2]!)).postId);
    const newestFirst = [...ids].reverse();
    for (const limit of [1, 3, 7, 10, 30, 100]) {
      const pages = await wholeFeed(reader, limit);
      expect(pages.flat()).toEqual(newestFirst);
      expect(pages).toHaveLength(Math.ceil(30 / limit));
    }
  });

  it("shows a post the moment its publication is answered, and drops an unfollowed author at once", async () => {
    const [reader, a, b] = [await given.aReader(), await given.anAuthor(), await given.anAuthor()];
    await given.aFollow(reader, a);
    await given.aFollow(reader, b);
    const older = await given.aPost(b);
    const post = await given.aPost(a);
    expect((await feed(reader)).items.map((item) => item.postId)).toEqual([post.postId, older.postId]);
    await given.anUnfollow(reader, a);
    expect((await feed(reader)).items.map((item) => item.postId)).toEqual([older.postId]);
    await given.aFollow(reader, a);
    expect((await feed(reader)).items.map((item) => item.postId)).toEqual([post.postId, older.postId]);
  });

  it("drops an author unfollowed between two pages from the pages that follow", async () => {
    const reader = await given.aReader();
    const [a, b, c] = [await given.anAuthor(), await given.anAuthor(), await given.anAuthor()];
    for (const author of [a, b, c]) await given.aFollow(reader, author);
    await interleaved([a, b, c], 5);
    const first = await feed(reader, { limit: 4 });
    await given.anUnfollow(reader, b);
    const rest = await wholeFeedFrom(reader, 4, first.nextCursor);
    expect(rest.length).toBe(15 - 4 - 4); // b's posts below the first page are gone (a 4th of them was on it)
    expect(rest.every((item) => item.authorId !== b.userId)).toBe(true);
    expect(new Set([...first.items, ...rest].map((item) => item.postId)).size).toBe(4 + rest.length);
  });

  it("pages without gaps or duplicates while the followed authors publish at once, showing new posts only on a fresh first page", async () => {
    const reader = await given.aReader();
    const authors = [await given.anAuthor(), await given.anAuthor(), await given.anAuthor()];
    for (const author of authors) await given.aFollow(reader, author);
    const before = await interleaved(authors, 8); // 24 posts
    const published: string[] = [];
    const pages = await wholeFeed(reader, 5, async () => {
      // Between pages: one post by each author, all at once.
      const responses = await Promise.all(authors.map((author) => when.publishes(author, aPostInput())));
      for (const response of responses) {
        expectStatus(response, 201);
        published.push(response.data.postId);
      }
    });
    const seen = pages.flat();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...before].reverse());
    expect(seen.filter((id) => published.includes(id))).toEqual([]);
    // A fresh first page starts with them.
    const fresh = await feed(reader, { limit: published.length });
    expect(new Set(fresh.items.map((item) => item.postId))).toEqual(new Set(published));
  });

  it("leaves out deleted posts, the newest one of an author included", async () => {
    const reader = await given.aReader();
    const [a, b] = [await given.anAuthor(), await given.anAuthor()];
    await given.aFollow(reader, a);
    await given.aFollow(reader, b);
    const ids = await interleaved([a, b], 4);
    const doomed = [ids[7]!, ids[2]!, ids[4]!]; // b's newest (a stale bound from then on), a's 2nd and 3rd
    for (const postId of doomed) {
      const owner = postId === ids[7] ? b : a;
      expectStatus(await api.DELETE("/posts/{postId}", { path: { postId }, token: owner.token }), 204);
    }
    const left = ids.filter((id) => !doomed.includes(id)).reverse();
    expect((await wholeFeed(reader, 2)).flat()).toEqual(left);
    expect((await feed(reader)).items.map((item) => item.postId)).toEqual(left);
  });

  it("locks each post for the caller exactly as GET /posts/{postId} does", async () => {
    const [admin, a, b] = [await given.anAdmin(), await given.anAuthor(), await given.anAuthor()];
    const free = await given.aPost(a, { access: "free" });
    const plus = await given.aPost(a, { access: "plus" });
    const selectA = await given.aPost(a, { access: "select" });
    const selectB = await given.aPost(b, { access: "select" });
    const order = [selectB, selectA, plus, free].map((post) => post.postId);
    const past = new Date(Date.now() - 60_000).toISOString();
    const readers: [string, Entitlements | null, boolean[]][] = [
      // [who, entitlements, locked for selectB, selectA, plus, free]
      ["no entitlement", [], [true, true, true, false]],
      ["plus", [{ tier: "plus" }], [true, true, false, false]],
      ["select of author a", [{ tier: "select", authorId: a.userId }], [true, false, true, false]],
      ["ultimate", [{ tier: "ultimate" }], [false, false, false, false]],
      [
        "expired ultimate and plus",
        [
          { tier: "ultimate", validUntil: past },
          { tier: "plus", validUntil: past },
        ],
        [true, true, true, false],
      ],
      ["admin", null, [false, false, false, false]],
    ];
    for (const [who, entitlements, locked] of readers) {
      const reader = entitlements === null ? admin : await given.aReader();
      if (entitlements !== null) await given.entitlements(admin, reader, entitlements);
      await given.aFollow(reader, a);
      await given.aFollow(reader, b);
      const items = (await feed(reader)).items;
      expect(
        items.map((item) => item.postId),
        who,
      ).toEqual(order);
      expect(
        items.map((item) => item.locked),
        who,
      ).toEqual(locked);
      for (const item of items) {
        expect("body" in item, who).toBe(false);
        const single = await when.readsPost(item.postId, reader);
        // The post itself: the summary, and its body exactly when the summary says it is not locked.
        const { body, ...summary } = single.data;
        expect(summary, who).toEqual(item);
        expect(body !== undefined, who).toBe(!item.locked);
      }
    }
  });

  it("answers a caller without a profile an empty feed, and a caller who follows no one too", async () => {
    const caller = given.aLocalCaller();
    expect(await feed(caller)).toEqual({ items: [], nextCursor: null });
    const reader = await given.aReader();
    expect(await feed(reader)).toEqual({ items: [], nextCursor: null });
    // A signed-in caller without a profile still gets 400 for a bad cursor.
    expectError(await when.readsFeed(caller, { cursor: "garbage" }), 400, "invalid_cursor");
  });

  it("answers 401 without a token or with a bad one", async () => {
    expectAuthorizerRefusal(await api.GET("/feed"));
    expectAuthorizerRefusal(await api.GET("/feed", { token: "not.a.token" }));
  });

  it.each([["0"], ["101"], ["-1"], ["ten"], ["1.5"], [""]])(
    "answers 400 validation_failed for limit=%s",
    async (limit) => {
      const reader = await given.aReader();
      const response = await api.unchecked("GET", `/feed?limit=${limit}`, { token: reader.token });
      expect(response.status).toBe(400);
      expect(response.error).toMatchObject({ code: "validation_failed", details: [{ field: "limit" }] });
    },
  );

  it("refuses a tampered cursor, another list's cursor and another reader's feed cursor with invalid_cursor", async () => {
    const [reader, other, author] = [await given.aReader(), await given.aReader(), await given.anAuthor()];
    await given.aFollow(reader, author);
    await given.aFollow(other, author);
    await interleaved([author], 3);
    const cursor = (await feed(reader, { limit: 1 })).nextCursor!;
    const othersCursor = (await feed(other, { limit: 1 })).nextCursor!;
    const postsCursor = (await when.listsPostsOf(author, undefined, { limit: 1 })).data.nextCursor as string;
    const tampered = (cursor[0] === "A" ? "B" : "A") + cursor.slice(1);
    const wrongShape = encodeCursor(`feed:${reader.userId}`, { at: "not-a-ulid", by: author.userId });
    const badHints = encodeCursor(`feed:${reader.userId}`, {
      at: "01ARZ3NDEKTSV4RRFFQ69G5FAV",
      by: author.userId,
      hints: "AAAA",
    });
    for (const bad of [tampered, othersCursor, postsCursor, wrongShape, badHints, "garbage", ""]) {
      const response = await when.readsFeed(reader, { cursor: bad });
      expectError(response, 400, "invalid_cursor", bad);
    }
    // The cursor is good for its own reader.
    expect((await feed(reader, { limit: 1, cursor })).items).toHaveLength(1);
  });
});

async function wholeFeedFrom(reader: TestUser, limit: number, cursor: string | null): Promise<FeedItem[]> {
  const items: FeedItem[] = [];
  while (cursor !== null) {
    const page: FeedPage = await feed(reader, withCursor(limit, cursor));
    items.push(...page.items);
    cursor = page.nextCursor;
  }
  return items;
}
