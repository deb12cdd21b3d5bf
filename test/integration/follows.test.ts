import { afterEach, describe, expect, it } from "vitest";
import { getAccounts } from "../../shared/db/account-batch-reader";
import { createAccount, getAccount } from "../../shared/db/account-store";
import { collections } from "../../shared/db/keys";
import { allFollowers, allFollowing, countFollowers, countFollowing, getFollow } from "../../shared/db/follow-store";
import { api, type ApiResponse } from "../support/api";
import { injectTransactionConflicts, type InjectedConflicts } from "../support/conflicts";
import { recordDynamoDbRequests } from "../support/request-recorder";
import { aSignedInCaller, expectNoStorageDetails, given, uniqueHandle, type TestUser } from "../support/given";
import { expectAuthorizerRefusal } from "../support/gateway";
import { follow, unfollow } from "../support/follows";
import { storedItems } from "../support/storage";
import { expectError } from "../support/then";

const profileOf = async (user: { userId: string }) => (await api.get(`/users/${user.userId}`)).body;

async function readers(count: number): Promise<TestUser[]> {
  return Promise.all(Array.from({ length: count }, () => given.aReader()));
}

/** Every row of a list, page after page, checking that each page is full until the last. */
async function wholeList(path: string, limit: number): Promise<{ rows: Record<string, string>[]; pages: number }> {
  const rows: Record<string, string>[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = cursor ? `?limit=${limit}&cursor=${encodeURIComponent(cursor)}` : `?limit=${limit}`;
    const response = await api.get(path + query);
    expect(response.status, response.text).toBe(200);
    expectNoStorageDetails(response.text);
    pages++;
    cursor = response.body.nextCursor;
    if (cursor !== null) expect(response.body.items).toHaveLength(limit);
    rows.push(...response.body.items);
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

    const followed = await follow(reader, author);
    expect(followed.status).toBe(200);
    expect(followed.body).toEqual({ following: true, followerCount: 1 });
    expect(await follow(reader, author).then((r) => r.body)).toEqual({ following: true, followerCount: 1 });
    expect((await profileOf(author)).followerCount).toBe(1);
    expect((await profileOf(reader)).followingCount).toBe(1);
    expect((await profileOf(reader)).followerCount).toBe(0);
    expect((await api.get(`/users/${author.userId}/follow`, { token: reader.token })).body).toEqual({
      following: true,
    });
    expect((await api.get(`/users/${reader.userId}/follow`, { token: author.token })).body).toEqual({
      following: false,
    });

    const unfollowed = await unfollow(reader, author);
    expect([unfollowed.status, unfollowed.body]).toEqual([200, { following: false, followerCount: 0 }]);
    expect((await unfollow(reader, author)).body).toEqual({ following: false, followerCount: 0 });
    expect((await profileOf(author)).followerCount).toBe(0);
    expect((await profileOf(reader)).followingCount).toBe(0);
    expect((await api.get(`/users/${author.userId}/follow`, { token: reader.token })).body).toEqual({
      following: false,
    });
  });

  it("answers the followee's count, which counts the other followers too", async () => {
    const author = await given.anAuthor();
    const [first, second, third] = await readers(3);
    expect((await follow(first!, author)).body.followerCount).toBe(1);
    expect((await follow(second!, author)).body.followerCount).toBe(2);
    expect((await follow(third!, author)).body.followerCount).toBe(3);
    expect((await unfollow(first!, author)).body).toEqual({ following: false, followerCount: 2 });
    expect((await follow(first!, author)).body.followerCount).toBe(3);
    // Readers can be followed as well; their counts are independent.
    expect((await follow(author, first!)).body).toEqual({ following: true, followerCount: 1 });
    expect(await profileOf(author)).toMatchObject({ followerCount: 3, followingCount: 1 });
  });

  it("counts exactly 200 distinct users following one author at once", async () => {
    const author = await given.anAuthor();
    const followers = await readers(200);
    const responses = await Promise.all(followers.map((reader) => follow(reader, author)));
    expect(responses.map((response) => response.status)).toEqual(followers.map(() => 200));
    const counts = responses.map((response) => response.body.followerCount as number);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    // The last answer to be read was read after every follow had been written.
    expect(Math.max(...counts)).toBe(200);
    expect((await profileOf(author)).followerCount).toBe(200);
    expect(await countFollowers(author.userId)).toBe(200);
    const followingCounts = await Promise.all(
      followers.map(async (reader) => (await profileOf(reader)).followingCount),
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
          (_, i) => () => (i % 2 === 0 ? follow(follower, followee) : unfollow(follower, followee)),
        ),
      );
      operations.sort(() => Math.random() - 0.5);
      const responses = await Promise.all(operations.map((operation) => operation()));
      expect(responses.filter((response) => response.status !== 200).map((r) => r.text)).toEqual([]);

      for (const user of users) {
        const profile = await profileOf(user);
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
    await follow(reader, author);
    const responses = await Promise.all(Array.from({ length: 8 }, () => unfollow(reader, author)));
    expect(responses.map((response) => response.body)).toEqual(
      responses.map(() => ({ following: false, followerCount: 0 })),
    );
    expect(await profileOf(reader)).toMatchObject({ followingCount: 0 });
    expect(await countFollowing(reader.userId)).toBe(0);
  });

  it("refuses to follow oneself with 400 cannot_follow_self, before anything else", async () => {
    const reader = await given.aReader();
    expectError(await follow(reader, reader), 400, "cannot_follow_self");
    expectError(await unfollow(reader, reader), 400, "cannot_follow_self");
    // Even without a profile (403) and without an account to find (404), the request itself is bad.
    const newcomer = aSignedInCaller();
    expectError(await follow(newcomer, newcomer), 400, "cannot_follow_self");
    expect((await profileOf(reader)).followingCount).toBe(0);
  });

  it("answers 404 not_found for an unknown user, on every follow route", async () => {
    const reader = await given.aReader();
    const nobody = { userId: "nobody-here" };
    expectError(await follow(reader, nobody), 404, "not_found");
    expectError(await unfollow(reader, nobody), 404, "not_found");
    expectError(await api.get(`/users/nobody-here/follow`, { token: reader.token }), 404, "not_found");
    expectError(await api.get(`/users/nobody-here/followers`), 404, "not_found");
    expectError(await api.get(`/users/nobody-here/following`), 404, "not_found");
    expect((await profileOf(reader)).followingCount).toBe(0);
  });

  it("answers 403 profile_required to a caller without a profile, but 404 first for an unknown user", async () => {
    const author = await given.anAuthor();
    const newcomer = aSignedInCaller();
    expectError(await follow(newcomer, author), 403, "profile_required");
    expectError(await unfollow(newcomer, author), 403, "profile_required");
    expectError(await follow(newcomer, { userId: "nobody-here" }), 404, "not_found");
    expectError(await unfollow(newcomer, { userId: "nobody-here" }), 404, "not_found");
    // Reading is not a write: such a caller simply follows no one.
    expect((await api.get(`/users/${author.userId}/follow`, { token: newcomer.token })).body).toEqual({
      following: false,
    });
    expect((await profileOf(author)).followerCount).toBe(0);
  });

  it("answers 401 without a token and 400 for a body with fields", async () => {
    const [reader, author] = [await given.aReader(), await given.anAuthor()];
    expectAuthorizerRefusal(await api.put(`/users/${author.userId}/follow`));
    expectAuthorizerRefusal(await api.delete(`/users/${author.userId}/follow`));
    expectAuthorizerRefusal(await api.get(`/users/${author.userId}/follow`));
    const withBody = await api.put(`/users/${author.userId}/follow`, {
      token: reader.token,
      body: { followerCount: 5 },
    });
    expectError(withBody, 400, "validation_failed");
    expect(withBody.body.error.details).toEqual([{ field: "followerCount", message: "is not a known field" }]);
    expect((await profileOf(author)).followerCount).toBe(0);
    expect((await api.put(`/users/${author.userId}/follow`, { token: reader.token, body: {} })).status).toBe(200);
  });
});

describe("conflicts with other transactions", () => {
  it("retries a follow that met a TransactionConflict and counts it once", async () => {
    const [reader, author] = [await given.aReader(), await given.anAuthor()];
    conflicts = injectTransactionConflicts(1);
    const response = await follow(reader, author);
    expect(conflicts.count).toBe(1);
    expect(response.body).toEqual({ following: true, followerCount: 1 });
    expect(await countFollowers(author.userId)).toBe(1);
  });

  it("answers 503 unavailable with retry-after when conflicts outlast the retry budget, having written nothing", async () => {
    const [reader, author] = [await given.aReader(), await given.anAuthor()];
    conflicts = injectTransactionConflicts();
    const response = await follow(reader, author);
    expectError(response, 503, "unavailable");
    expect(response.headers["retry-after"]).toBe("1");
    expect(conflicts.count).toBe(10);
    expectNoStorageDetails(response.text);
    conflicts.remove();
    expect(await profileOf(author)).toMatchObject({ followerCount: 0 });
    expect(await profileOf(reader)).toMatchObject({ followingCount: 0 });
    expect((await api.get(`/users/${author.userId}/follow`, { token: reader.token })).body).toEqual({
      following: false,
    });
    expect(await countFollowers(author.userId)).toBe(0);
  });

  it("answers 503 for an unfollow that cannot get through, and keeps the relation", async () => {
    const [reader, author] = [await given.aReader(), await given.anAuthor()];
    await follow(reader, author);
    conflicts = injectTransactionConflicts();
    expectError(await unfollow(reader, author), 503, "unavailable");
    conflicts.remove();
    expect((await profileOf(author)).followerCount).toBe(1);
    expect(await countFollowers(author.userId)).toBe(1);
  });
});

describe("GET /users/{userId}/followers and /following", () => {
  it("pages newest first, without gaps or duplicates, showing current names", async () => {
    const author = await given.anAuthor();
    const followers = await readers(45);
    for (const reader of followers) expect((await follow(reader, author)).status).toBe(200);

    const { rows, pages } = await wholeList(`/users/${author.userId}/followers`, 20);
    expect(pages).toBe(3);
    expect(rows.map((row) => row.userId)).toEqual(followers.map((reader) => reader.userId).reverse());
    expect(Object.keys(rows[0]!).sort()).toEqual(["displayName", "followedAt", "handle", "userId"]);
    expect(rows[0]).toEqual({
      userId: followers[44]!.userId,
      handle: followers[44]!.handle,
      displayName: followers[44]!.handle,
      followedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    const times = rows.map((row) => Date.parse(row.followedAt!));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    // A renamed follower shows its new name: rows are joined with the profiles, never copied.
    const renamed = followers[44]!;
    const newHandle = uniqueHandle();
    await api.put("/me", { token: renamed.token, body: { handle: newHandle, displayName: "Renamed Reader" } });
    const first = await api.get(`/users/${author.userId}/followers?limit=1`);
    expect(first.body.items).toEqual([{ ...rows[0], handle: newHandle, displayName: "Renamed Reader" }]);

    // An unfollow removes the row; a follow again puts it first.
    await unfollow(followers[0]!, author);
    await follow(followers[0]!, author);
    const again = await wholeList(`/users/${author.userId}/followers`, 100);
    expect(again.pages).toBe(1);
    expect(again.rows.map((row) => row.userId)).toEqual([
      followers[0]!.userId,
      ...rows.slice(0, 44).map((row) => row.userId),
    ]);
  });

  it("ends on a full page when the list length is a multiple of the limit", async () => {
    const author = await given.anAuthor();
    for (const reader of await readers(4)) await follow(reader, author);
    const first = await api.get(`/users/${author.userId}/followers?limit=2`);
    const second = await api.get(
      `/users/${author.userId}/followers?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(second.body.items).toHaveLength(2);
    expect(second.body.nextCursor).toBeNull();
  });

  it("lists whom a user follows, newest first, with the default limit of 20", async () => {
    const reader = await given.aReader();
    const authors = await Promise.all(Array.from({ length: 22 }, () => given.anAuthor()));
    for (const author of authors) await follow(reader, author);
    const page = await api.get(`/users/${reader.userId}/following`);
    expect(page.status).toBe(200);
    expect(page.body.items.map((row: { userId: string }) => row.userId)).toEqual(
      authors
        .slice(2)
        .map((author) => author.userId)
        .reverse(),
    );
    const rest = await api.get(`/users/${reader.userId}/following?cursor=${encodeURIComponent(page.body.nextCursor)}`);
    expect(rest.body).toEqual({
      items: [authors[1], authors[0]].map((author) => ({
        userId: author!.userId,
        handle: author!.handle,
        displayName: author!.handle,
        followedAt: expect.any(String),
      })),
      nextCursor: null,
    });
  });

  it("answers an empty list for a user nobody follows", async () => {
    const reader = await given.aReader();
    expect((await api.get(`/users/${reader.userId}/followers`)).body).toEqual({ items: [], nextCursor: null });
    expect((await api.get(`/users/${reader.userId}/following`)).body).toEqual({ items: [], nextCursor: null });
  });

  it("refuses a tampered cursor, another list's cursor and a limit out of range", async () => {
    const [author, other] = [await given.anAuthor(), await given.anAuthor()];
    for (const reader of await readers(3)) {
      await follow(reader, author);
      await follow(reader, other);
    }
    const cursor = (await api.get(`/users/${author.userId}/followers?limit=1`)).body.nextCursor as string;
    const tampered = (cursor[0] === "A" ? "B" : "A") + cursor.slice(1);
    expectError(await api.get(`/users/${author.userId}/followers?cursor=${tampered}`), 400, "invalid_cursor");
    expectError(await api.get(`/users/${other.userId}/followers?cursor=${cursor}`), 400, "invalid_cursor");
    expectError(await api.get(`/users/${author.userId}/following?cursor=${cursor}`), 400, "invalid_cursor");
    expectError(await api.get(`/users/nobody-here/followers?cursor=${tampered}`), 400, "invalid_cursor");
    for (const limit of ["0", "101", "abc"]) {
      const response = await api.get(`/users/${author.userId}/followers?limit=${limit}`);
      expectError(response, 400, "validation_failed");
      expect(response.body.error.details[0].field).toBe("limit");
    }
  });
});

describe("follower counts spread over shard items", () => {
  it("keeps counts exact for accounts with fewer shards than new ones get, or none", async () => {
    const [reader, other] = await readers(2);
    const now = new Date().toISOString();
    const base = { role: "author" as const, now };
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
      expect((await follow(reader!, account)).body).toEqual({ following: true, followerCount: 1 });
      expect((await follow(other!, account)).body).toEqual({ following: true, followerCount: 2 });
      expect((await unfollow(reader!, account)).body).toEqual({ following: false, followerCount: 1 });
      expect((await getAccount(account.userId))?.followerCount).toBe(1);
    }
    const accountItems = await storedItems(collections.accountItems(unsharded.userId));
    expect(accountItems.map((item) => item.entityType)).toEqual(["account"]);
  });

  it("gives the same exact counts through getAccount and getAccounts", async () => {
    const authors = await Promise.all(Array.from({ length: 3 }, () => given.anAuthor()));
    const followers = await readers(5);
    await Promise.all(
      followers.flatMap((reader, i) => authors.slice(0, (i % 3) + 1).map((author) => follow(reader, author))),
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
    for (const other of await readers(3)) await follow(other, author);
    const costOf = async (call: () => Promise<ApiResponse>) => {
      const recording = recordDynamoDbRequests();
      try {
        expect((await call()).status).toBe(200);
        return recording.commands();
      } finally {
        recording.stop();
      }
    };
    // A1 (the caller) is the first Query of every signed-in call.
    expect(await costOf(() => follow(reader, author))).toEqual(["Query", "TransactWriteItems", "Query"]);
    expect(await costOf(() => follow(reader, author))).toEqual(["Query", "TransactWriteItems", "Query"]);
    expect(await costOf(() => api.get(`/users/${author.userId}/follow`, { token: reader.token }))).toEqual([
      "Query",
      "GetItem",
    ]);
    expect(await costOf(() => unfollow(reader, author))).toEqual(["Query", "GetItem", "TransactWriteItems", "Query"]);
    expect(await costOf(() => unfollow(reader, author))).toEqual(["Query", "GetItem", "Query"]);
    expect(await costOf(() => api.get(`/users/${author.userId}/follow`, { token: reader.token }))).toEqual([
      "Query",
      "GetItem",
      "GetItem",
    ]);
    expect((await costOf(() => api.get(`/users/${author.userId}/followers`))).sort()).toEqual([
      "BatchGetItem",
      "GetItem",
      "Query",
    ]);
    expect((await costOf(() => api.get(`/users/${reader.userId}/following`))).sort()).toEqual(["GetItem", "Query"]);
  });
});

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}
