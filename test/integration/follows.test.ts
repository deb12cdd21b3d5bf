import { afterEach, describe, expect, it } from "vitest";
import { getAccounts } from "../../shared/db/account-batch-reader";
import { createAccount, getAccount } from "../../shared/db/account-store";
import { collections } from "../../shared/db/keys";
import {
  allFollowers,
  allFollowing,
  countFollowers,
  countFollowing,
  getFollow,
} from "../../shared/db/follow-read-store";
import { api } from "../support/api/in-process";
import type { components } from "../support/api/types";
import { type AnyAnswer } from "../support/api/client";
import { injectTransactionConflicts, type InjectedConflicts } from "../support/conflicts";
import { recordDynamoDbRequests } from "../support/request-recorder";
import { expectAuthorizerRefusal } from "../support/gateway";
import { storedItems } from "../support/storage";
import { given } from "../support/given";
import { type TestUser, uniqueHandle } from "../support/host";
import { expectError, expectNoStorageDetails, expectValidationFailed, then } from "../support/then";
import { when } from "../support/when";

async function readers(count: number): Promise<TestUser[]> {
  return Promise.all(Array.from({ length: count }, () => given.aReader()));
}

type FollowListEntry = components["schemas"]["FollowListEntry"];

/** Every follower of a user, page after page, checking that each page is full until the last. */
async function wholeFollowerList(user: TestUser, limit: number): Promise<{ rows: FollowListEntry[]; pages: number }> {
  const rows: FollowListEntry[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const response = await when.listsFollowersOf(user, undefined, { limit, ...(cursor ? { cursor } : {}) });
    expect(response.status, response.text).toBe(200);
    expectNoStorageDetails(response.text);
    pages++;
    cursor = response.data.nextCursor;
    if (cursor !== null) expect(response.data.items).toHaveLength(limit);
    rows.push(...response.data.items);
  } while (cursor !== null && pages < 50);
  return { rows, pages };
}

let conflicts: InjectedConflicts | undefined;
afterEach(() => {
  conflicts?.remove();
  conflicts = undefined;
});

describe("PUT and DELETE /users/{userId}/follow", () => {
  it("follows and unfollows, idempotently, with exact counts on both sides", async () => {
    const [reader, author] = [await given.aReader(), await given.anAuthor()];

    const followed = then.itAnswers(await when.follows(reader, author), 200);
    const followedAgain = then.itAnswers(await when.follows(reader, author), 200);

    expect([followed, followedAgain]).toEqual([
      { following: true, followerCount: 1 },
      { following: true, followerCount: 1 },
    ]);
    expect(await then.profileOf(author)).toMatchObject({ followerCount: 1, followingCount: 0 });
    expect(await then.profileOf(reader)).toMatchObject({ followerCount: 0, followingCount: 1 });
    expect(then.itAnswers(await when.asksWhetherFollowing(reader, author), 200)).toEqual({ following: true });
    expect(then.itAnswers(await when.asksWhetherFollowing(author, reader), 200)).toEqual({ following: false });

    const unfollowed = then.itAnswers(await when.unfollows(reader, author), 200);
    const unfollowedAgain = then.itAnswers(await when.unfollows(reader, author), 200);

    expect([unfollowed, unfollowedAgain]).toEqual([
      { following: false, followerCount: 0 },
      { following: false, followerCount: 0 },
    ]);
    expect(await then.followerCountOf(author)).toBe(0);
    expect(await then.profileOf(reader)).toMatchObject({ followingCount: 0 });
    expect(then.itAnswers(await when.asksWhetherFollowing(reader, author), 200)).toEqual({ following: false });
  });

  it("answers the followee's count, which counts the other followers too", async () => {
    const author = await given.anAuthor();
    const [first, second, third] = await readers(3);

    const counts = [];
    for (const reader of [first!, second!, third!]) {
      counts.push(then.itAnswers(await when.follows(reader, author), 200).followerCount);
    }
    const afterAnUnfollow = then.itAnswers(await when.unfollows(first!, author), 200);
    const afterFollowingAgain = then.itAnswers(await when.follows(first!, author), 200);
    // Readers can be followed as well; their counts are independent.
    const aReaderFollowed = then.itAnswers(await when.follows(author, first!), 200);

    expect(counts).toEqual([1, 2, 3]);
    expect(afterAnUnfollow).toEqual({ following: false, followerCount: 2 });
    expect(afterFollowingAgain.followerCount).toBe(3);
    expect(aReaderFollowed).toEqual({ following: true, followerCount: 1 });
    expect(await then.profileOf(author)).toMatchObject({ followerCount: 3, followingCount: 1 });
  });

  it("counts exactly 200 distinct users following one author at once", async () => {
    const author = await given.anAuthor();
    const followers = await readers(200);
    const responses = await Promise.all(followers.map((reader) => when.follows(reader, author)));
    expect(responses.map((response) => response.status)).toEqual(followers.map(() => 200));
    const counts = responses.map((response) => response.data.followerCount);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    // The last answer to be read was read after every follow had been written.
    expect(Math.max(...counts)).toBe(200);
    expect(await then.followerCountOf(author)).toBe(200);
    expect(await countFollowers(author.userId)).toBe(200);
    const followingCounts = await Promise.all(
      followers.map(async (reader) => (await then.profileOf(reader)).followingCount),
    );
    expect(new Set(followingCounts)).toEqual(new Set([1]));
  });

  it("keeps counts equal to the relations through concurrent, repeated, interleaved follow/unfollow storms", async () => {
    const users = await readers(6);
    const pairs = users.flatMap((follower) =>
      users.filter((other) => other !== follower).map((followee) => [follower, followee] as const),
    );
    for (let round = 0; round < 3; round++) {
      // Every ordered pair gets six operations in a shuffled order, all in flight at once.
      const operations = pairs.flatMap(([follower, followee]) =>
        Array.from(
          { length: 6 },
          (_, i) => () => (i % 2 === 0 ? when.follows(follower, followee) : when.unfollows(follower, followee)),
        ),
      );
      operations.sort(() => Math.random() - 0.5);
      const responses = await Promise.all(operations.map((operation) => operation()));
      expect(responses.filter((response) => response.status !== 200).map((r) => r.text)).toEqual([]);

      for (const user of users) {
        const profile = await then.profileOf(user);
        expect(profile.followerCount).toBe(await countFollowers(user.userId));
        expect(profile.followingCount).toBe(await countFollowing(user.userId));
      }
      // The three items of each relation agree: the pair's relation, the follower row, the following row.
      for (const [follower, followee] of pairs) {
        const relation = await getFollow(follower.userId, followee.userId);
        const followerRows = (await collect(allFollowers(followee.userId))).filter(
          (r) => r.followerId === follower.userId,
        );
        const followingRows = (await collect(allFollowing(follower.userId))).filter(
          (r) => r.followeeId === followee.userId,
        );
        expect(followerRows).toEqual(relation ? [relation] : []);
        expect(followingRows).toEqual(relation ? [relation] : []);
      }
    }
  });

  it("ends with no relation and zero counts after concurrent unfollows of one pair", async () => {
    const [reader, author] = [await given.aReader(), await given.anAuthor()];
    await when.follows(reader, author);
    const responses = await Promise.all(Array.from({ length: 8 }, () => when.unfollows(reader, author)));
    expect(responses.map((response) => then.itAnswers(response, 200))).toEqual(
      responses.map(() => ({ following: false, followerCount: 0 })),
    );
    expect(await then.profileOf(reader)).toMatchObject({ followingCount: 0 });
    expect(await countFollowing(reader.userId)).toBe(0);
  });

  it("refuses to follow oneself with 400 cannot_follow_self, before anything else", async () => {
    const reader = await given.aReader();
    expectError(await when.follows(reader, reader), 400, "cannot_follow_self");
    expectError(await when.unfollows(reader, reader), 400, "cannot_follow_self");
    // Even without a profile (403) and without an account to find (404), the request itself is bad.
    const newcomer = given.aLocalCaller();
    expectError(await when.follows(newcomer, newcomer), 400, "cannot_follow_self");
    expect((await then.profileOf(reader)).followingCount).toBe(0);
  });

  it("answers 404 not_found for an unknown user, on every follow route", async () => {
    const reader = await given.aReader();
    const nobody = { userId: "nobody-here" };
    expectError(await when.follows(reader, nobody), 404, "not_found");
    expectError(await when.unfollows(reader, nobody), 404, "not_found");
    expectError(await when.asksWhetherFollowing(reader, nobody), 404, "not_found");
    expectError(await when.listsFollowersOf(nobody), 404, "not_found");
    expectError(await when.listsFollowingOf(nobody), 404, "not_found");
    expect((await then.profileOf(reader)).followingCount).toBe(0);
  });

  it("answers 403 profile_required to a caller without a profile, but 404 first for an unknown user", async () => {
    const author = await given.anAuthor();
    const newcomer = given.aLocalCaller();
    expectError(await when.follows(newcomer, author), 403, "profile_required");
    expectError(await when.unfollows(newcomer, author), 403, "profile_required");
    expectError(await when.follows(newcomer, { userId: "nobody-here" }), 404, "not_found");
    expectError(await when.unfollows(newcomer, { userId: "nobody-here" }), 404, "not_found");
    // Reading is not a write: such a caller simply follows no one.
    expect(then.itAnswers(await when.asksWhetherFollowing(newcomer, author), 200)).toEqual({
      following: false,
    });
    expect(await then.followerCountOf(author)).toBe(0);
  });

  it("answers 401 without a token and 400 for a body with fields", async () => {
    const [reader, author] = [await given.aReader(), await given.anAuthor()];
    expectAuthorizerRefusal(await api.PUT("/users/{userId}/follow", { path: { userId: author.userId } }));
    expectAuthorizerRefusal(await api.DELETE("/users/{userId}/follow", { path: { userId: author.userId } }));
    expectAuthorizerRefusal(await api.GET("/users/{userId}/follow", { path: { userId: author.userId } }));
    const withBody = await api.PUT("/users/{userId}/follow", {
      path: { userId: author.userId },
      token: reader.token,
      body: { followerCount: 5 },
    });
    expectError(withBody, 400, "validation_failed");
    expect(expectValidationFailed(withBody).details).toEqual([
      { field: "followerCount", message: "is not a known field" },
    ]);
    expect(await then.followerCountOf(author)).toBe(0);
    expect(
      (await api.PUT("/users/{userId}/follow", { path: { userId: author.userId }, token: reader.token, body: {} }))
        .status,
    ).toBe(200);
  });
});

describe("conflicts with other transactions", () => {
  it("retries a follow that met a TransactionConflict and counts it once", async () => {
    const [reader, author] = [await given.aReader(), await given.anAuthor()];
    conflicts = injectTransactionConflicts(1);
    const response = await when.follows(reader, author);
    expect(conflicts.count).toBe(1);
    expect(then.itAnswers(response, 200)).toEqual({ following: true, followerCount: 1 });
    expect(await countFollowers(author.userId)).toBe(1);
  });

  it("answers 503 unavailable with retry-after when conflicts outlast the retry budget, having written nothing", async () => {
    const [reader, author] = [await given.aReader(), await given.anAuthor()];
    conflicts = injectTransactionConflicts();
    const response = await when.follows(reader, author);
    expectError(response, 503, "unavailable");
    expect(response.headers["retry-after"]).toBe("1");
    expect(conflicts.count).toBe(10);
    expectNoStorageDetails(response.text);
    conflicts.remove();
    expect(await then.profileOf(author)).toMatchObject({ followerCount: 0 });
    expect(await then.profileOf(reader)).toMatchObject({ followingCount: 0 });
    expect(then.itAnswers(await when.asksWhetherFollowing(reader, author), 200)).toEqual({
      following: false,
    });
    expect(await countFollowers(author.userId)).toBe(0);
  });

  it("answers 503 for an unfollow that cannot get through, and keeps the relation", async () => {
    const [reader, author] = [await given.aReader(), await given.anAuthor()];
    await when.follows(reader, author);
    conflicts = injectTransactionConflicts();
    expectError(await when.unfollows(reader, author), 503, "unavailable");
    conflicts.remove();
    expect(await then.followerCountOf(author)).toBe(1);
    expect(await countFollowers(author.userId)).toBe(1);
  });
});

describe("GET /users/{userId}/followers and /following", () => {
  it("pages newest first, without gaps or duplicates, showing current names", async () => {
    const author = await given.anAuthor();
    const followers = await readers(45);
    for (const reader of followers) expect((await when.follows(reader, author)).status).toBe(200);

    const { rows, pages } = await wholeFollowerList(author, 20);
    expect(pages).toBe(3);
    expect(rows.map((row) => row.userId)).toEqual(followers.map((reader) => reader.userId).reverse());
    expect(Object.keys(rows[0]!).sort()).toEqual(["displayName", "followedAt", "handle", "userId"]);
    expect(rows[0]).toMatchObject({
      userId: followers[44]!.userId,
      handle: followers[44]!.handle,
      displayName: followers[44]!.handle,
    });
    expect(rows[0]!.followedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const times = rows.map((row) => Date.parse(row.followedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    // A renamed follower shows its new name: rows are joined with the profiles, never copied.
    const renamed = followers[44]!;
    const newHandle = uniqueHandle();
    then.itAnswers(await when.savesProfile(renamed, { handle: newHandle, displayName: "Renamed Reader" }), 200);
    const first = await when.listsFollowersOf(author, undefined, { limit: 1 });
    expect(first.data.items).toEqual([{ ...rows[0], handle: newHandle, displayName: "Renamed Reader" }]);

    // An unfollow removes the row; a follow again puts it first.
    await when.unfollows(followers[0]!, author);
    await when.follows(followers[0]!, author);
    const again = await wholeFollowerList(author, 100);
    expect(again.pages).toBe(1);
    expect(again.rows.map((row) => row.userId)).toEqual([
      followers[0]!.userId,
      ...rows.slice(0, 44).map((row) => row.userId),
    ]);
  });

  it("ends on a full page when the list length is a multiple of the limit", async () => {
    const author = await given.anAuthor();
    for (const reader of await readers(4)) await when.follows(reader, author);
    const first = await when.listsFollowersOf(author, undefined, { limit: 2 });
    const second = await when.listsFollowersOf(author, undefined, { limit: 2, cursor: first.data.nextCursor! });
    expect(second.data.items).toHaveLength(2);
    expect(second.data.nextCursor).toBeNull();
  });

  it("lists whom a user follows, newest first, with the default limit of 20", async () => {
    const reader = await given.aReader();
    const authors = await Promise.all(Array.from({ length: 22 }, () => given.anAuthor()));
    for (const author of authors) await when.follows(reader, author);
    const page = await when.listsFollowingOf(reader);
    expect(page.status).toBe(200);
    expect(page.data.items.map((row: { userId: string }) => row.userId)).toEqual(
      authors
        .slice(2)
        .map((author) => author.userId)
        .reverse(),
    );
    const rest = await when.listsFollowingOf(reader, undefined, { cursor: page.data.nextCursor! });
    // The last two (and each with its follow time, as the document requires of every answer).
    expect(then.itAnswers(rest, 200)).toMatchObject({
      items: [authors[1], authors[0]].map((author) => ({
        userId: author!.userId,
        handle: author!.handle,
        displayName: author!.handle,
      })),
      nextCursor: null,
    });
  });

  it("answers an empty list for a user nobody follows", async () => {
    const reader = await given.aReader();
    expect(then.itAnswers(await when.listsFollowersOf(reader), 200)).toEqual({
      items: [],
      nextCursor: null,
    });
    expect(then.itAnswers(await when.listsFollowingOf(reader), 200)).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it("refuses a tampered cursor, another list's cursor and a limit out of range", async () => {
    const [author, other] = [await given.anAuthor(), await given.anAuthor()];
    for (const reader of await readers(3)) {
      await when.follows(reader, author);
      await when.follows(reader, other);
    }
    const cursor = (await when.listsFollowersOf(author, undefined, { limit: 1 })).data.nextCursor as string;
    const tampered = (cursor[0] === "A" ? "B" : "A") + cursor.slice(1);
    expectError(await when.listsFollowersOf(author, undefined, { cursor: tampered }), 400, "invalid_cursor");
    expectError(await when.listsFollowersOf(other, undefined, { cursor }), 400, "invalid_cursor");
    expectError(await when.listsFollowingOf(author, undefined, { cursor }), 400, "invalid_cursor");
    expectError(
      await when.listsFollowersOf({ userId: "nobody-here" }, undefined, { cursor: tampered }),
      400,
      "invalid_cursor",
    );
    for (const limit of ["0", "101", "abc"]) {
      const response = await api.unchecked("GET", `/users/${author.userId}/followers?limit=${limit}`);
      expect(expectValidationFailed(response).details[0]?.field).toBe("limit");
    }
  });
});

describe("follower counts spread over shard items", () => {
  it("keeps counts exact for accounts with fewer shards than authors get, or none", async () => {
    const [reader, other] = await readers(2);
    const now = new Date().toISOString();
    // Readers: an author without shards gets them at its next follow (follower-count-shards.test.ts).
    const base = { role: "reader" as const, now };
    const unsharded = await createAccount({
      ...base,
      userId: `legacy-${now}`,
      handle: uniqueHandle(),
      displayName: "L",
      followerCountShards: 0,
    });
    const fewShards = await createAccount({
      ...base,
      userId: `few-${now}`,
      handle: uniqueHandle(),
      displayName: "F",
      followerCountShards: 1,
    });
    for (const account of [unsharded, fewShards]) {
      expect(then.itAnswers(await when.follows(reader!, account), 200)).toEqual({ following: true, followerCount: 1 });
      expect(then.itAnswers(await when.follows(other!, account), 200)).toEqual({ following: true, followerCount: 2 });
      expect(then.itAnswers(await when.unfollows(reader!, account), 200)).toEqual({
        following: false,
        followerCount: 1,
      });
      expect((await getAccount(account.userId))?.followerCount).toBe(1);
    }
    const accountItems = await storedItems(collections.accountItems(unsharded.userId));
    expect(accountItems.map((item) => item.entityType)).toEqual(["account"]);
  });

  it("gives the same exact counts through getAccount and getAccounts", async () => {
    const authors = await Promise.all(Array.from({ length: 3 }, () => given.anAuthor()));
    const followers = await readers(5);
    await Promise.all(
      followers.flatMap((reader, i) => authors.slice(0, (i % 3) + 1).map((author) => when.follows(reader, author))),
    );
    const accounts = await getAccounts([...authors, ...followers].map((user) => user.userId));
    expect(authors.map((author) => accounts.get(author.userId)?.followerCount)).toEqual([5, 3, 1]);
    expect(followers.map((reader) => accounts.get(reader.userId)?.followingCount)).toEqual([1, 2, 3, 1, 2]);
    for (const author of authors) {
      expect((await getAccount(author.userId))?.followerCount).toBe(accounts.get(author.userId)?.followerCount);
    }
  });
});

describe("DynamoDB requests per call, as docs/data-model.md claims", () => {
  it("costs F1-F4 their stated requests", async () => {
    const [reader, author] = [await given.aReader(), await given.anAuthor()];
    for (const other of await readers(3)) await when.follows(other, author);
    const costOf = async (call: () => Promise<AnyAnswer>) => {
      const recording = recordDynamoDbRequests();
      try {
        expect((await call()).status).toBe(200);
        return recording.commands();
      } finally {
        recording.stop();
      }
    };
    // A1 (the caller) is the first Query of every signed-in call.
    expect(await costOf(() => when.follows(reader, author))).toEqual(["Query", "TransactWriteItems", "Query"]);
    expect(await costOf(() => when.follows(reader, author))).toEqual(["Query", "TransactWriteItems", "Query"]);
    expect(await costOf(() => when.asksWhetherFollowing(reader, author))).toEqual(["Query", "GetItem"]);
    expect(await costOf(() => when.unfollows(reader, author))).toEqual([
      "Query",
      "GetItem",
      "TransactWriteItems",
      "Query",
    ]);
    expect(await costOf(() => when.unfollows(reader, author))).toEqual(["Query", "GetItem", "Query"]);
    expect(await costOf(() => when.asksWhetherFollowing(reader, author))).toEqual(["Query", "GetItem", "GetItem"]);
    expect((await costOf(() => when.listsFollowersOf(author))).sort()).toEqual(["BatchGetItem", "GetItem", "Query"]);
    expect((await costOf(() => when.listsFollowingOf(reader))).sort()).toEqual(["GetItem", "Query"]);
  });
});

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}
