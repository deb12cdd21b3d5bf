import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { config } from "../../shared/config";
import { createAccount, getAccount } from "../../shared/db/account-store";
import { forgetFollowerCountTargets, learnFollowerCountTargets } from "../../shared/db/follower-count-targets";
import { collections } from "../../shared/db/keys";
import { createFollowerCountShards } from "../../shared/db/follower-count-store";
import { accountQueryOf, aroundRequest, type AroundRequest } from "../support/around-request";
import { expectNoDrift } from "../support/audit";
import { expectNothingLeftOf } from "../support/cleanup";
import { given } from "../support/given";
import { tokenFor } from "../support/api/in-process";
import { uniqueHandle, uniqueUserId, type TestUser } from "../support/host";
import { recordDynamoDbRequests } from "../support/request-recorder";
import { storedItems } from "../support/storage";
import { then } from "../support/then";
import { when } from "../support/when";

// Shards only where they serve (docs/data-model.md, "Hot authors"): an account gets its follower-count shards when it
// needs them (an author; anyone whose count reaches FOLLOWER_COUNT_SHARD_THRESHOLD), and a write goes to a target
// the account has without a cancelled transaction. Configuration is read once, when shared/config.ts loads: the
// variables are set before any import. The races of the creation: orderings-shards.test.ts.
const previous = vi.hoisted(() => {
  const values = {
    FOLLOWER_COUNT_SHARDS: process.env.FOLLOWER_COUNT_SHARDS,
    FOLLOWER_COUNT_SHARD_THRESHOLD: process.env.FOLLOWER_COUNT_SHARD_THRESHOLD,
  };
  process.env.FOLLOWER_COUNT_SHARDS = "4";
  process.env.FOLLOWER_COUNT_SHARD_THRESHOLD = "3";
  return values;
});
afterAll(() => {
  for (const [name, value] of Object.entries(previous)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});
afterEach(() => expectNoDrift("after the shards' test"));

const SHARDS = [
  "PROFILE#FOLLOWER_COUNT#00",
  "PROFILE#FOLLOWER_COUNT#01",
  "PROFILE#FOLLOWER_COUNT#02",
  "PROFILE#FOLLOWER_COUNT#03",
];

/** The sort keys of an account's own items: its profile and its shards. */
async function accountItemsOf(user: { userId: string }): Promise<string[]> {
  return (await storedItems(collections.accountItems(user.userId))).map((item) => String(item.sk));
}

/** The profile's own follower count and each shard's, as stored. */
async function storedCounts(user: { userId: string }): Promise<{ profile: number; shards: number[] }> {
  const items = await storedItems(collections.accountItems(user.userId));
  return {
    profile: Number(items.find((item) => item.sk === "PROFILE")!.followerCount),
    shards: items.filter((item) => item.sk !== "PROFILE").map((item) => Number(item.count)),
  };
}

async function readers(count: number): Promise<TestUser[]> {
  return Promise.all(Array.from({ length: count }, () => given.aReader()));
}

/** The requests a call sent, in order, each with whether DynamoDB refused it. */
async function requestsOf(call: () => Promise<{ status: number }>): Promise<string[]> {
  const recording = recordDynamoDbRequests();
  try {
    expect((await call()).status).toBe(200);
    return recording.requests.map((request) => `${request.command}${request.error ? " (refused)" : ""}`);
  } finally {
    recording.stop();
  }
}

describe("which accounts have follower-count shards", () => {
  it("creates a reader without shards and an author with FOLLOWER_COUNT_SHARDS", async () => {
    expect(config.FOLLOWER_COUNT_SHARDS).toBe(4);
    const [reader, author] = [await given.aReader(), await given.anAuthor()];
    expect(await accountItemsOf(reader)).toEqual(["PROFILE"]);
    expect(await accountItemsOf(author)).toEqual(["PROFILE", ...SHARDS]);
  });

  it("gives a reader its shards with the follow that brings its count to the threshold, every count exact across it", async () => {
    expect(config.FOLLOWER_COUNT_SHARD_THRESHOLD).toBe(3);
    const popular = await given.aReader();
    const followers = await readers(5);
    for (const [i, follower] of followers.slice(0, 2).entries()) {
      then.itAnswers(await when.follows(follower, popular), 200);
      expect(await accountItemsOf(popular), `after follow ${i + 1}`).toEqual(["PROFILE"]);
    }
    expect(then.itAnswers(await when.follows(followers[2]!, popular), 200)).toEqual({
      following: true,
      followerCount: 3,
    });
    expect(await accountItemsOf(popular)).toEqual(["PROFILE", ...SHARDS]);
    // No count moved: the profile keeps its 3 as the base the shards add to.
    expect(await storedCounts(popular)).toEqual({ profile: 3, shards: [0, 0, 0, 0] });

    // From then on the follows and unfollows go to its shards (the follow's read-back taught the container them).
    for (const follower of followers.slice(3)) then.itAnswers(await when.follows(follower, popular), 200);
    then.itAnswers(await when.unfollows(followers[0]!, popular), 200);
    const counts = await storedCounts(popular);
    expect(counts.profile).toBe(3);
    expect(counts.shards.reduce((a, b) => a + b, 0)).toBe(1);
    expect((await getAccount(popular.userId))?.followerCount).toBe(4);
    expect((await when.readsProfileOf(popular)).data.followerCount).toBe(4);
  });

  it("gives an author without shards (an account whose role became author) its shards at its next follow", async () => {
    const userId = uniqueUserId("author");
    const handle = uniqueHandle();
    const now = new Date().toISOString();
    await createAccount({ userId, handle, displayName: "A", role: "author", now, followerCountShards: 0 });
    const author = { userId, handle, token: tokenFor(userId, ["authors"]) };
    const [reader] = await readers(1);
    expect(then.itAnswers(await when.follows(reader!, author), 200)).toEqual({ following: true, followerCount: 1 });
    expect(await accountItemsOf(author)).toEqual(["PROFILE", ...SHARDS]);
    expect(await storedCounts(author)).toEqual({ profile: 1, shards: [0, 0, 0, 0] });
  });

  it("deletes an account whose shards came after it was created, nothing left behind", async () => {
    const popular = await given.aReader();
    const followers = await readers(3);
    for (const follower of followers) then.itAnswers(await when.follows(follower, popular), 200);
    expect(await accountItemsOf(popular)).toEqual(["PROFILE", ...SHARDS]);
    expect((await when.deletesOwnAccount(popular)).status).toBe(204);
    await expectNothingLeftOf(popular);
    for (const follower of followers) expect((await getAccount(follower.userId))?.followingCount).toBe(0);
  });
});

describe("an account that gets its shards while its owner deletes it", () => {
  let hooks: AroundRequest[] = [];
  afterEach(() => hooks.forEach((hook) => hook.stop()));

  it("marks the shards created after the deletion read the account, so no follow reaches them", async () => {
    const leaving = await given.aReader();
    const [y, x] = await readers(2);
    then.itAnswers(await when.follows(y!, leaving), 200);
    let lateFollow: { status: number } | null = null;
    hooks = [
      // Right after the deletion read the account (A1 is the first read), before its mark: the shards come.
      aroundRequest(
        accountQueryOf(leaving.userId),
        { after: () => createFollowerCountShards(leaving.userId) },
        { skip: 1 },
      ),
      // Once the deletion listed the followers: X follows, on one of the shards (the creation taught them).
      aroundRequest(
        ({ command, input }) =>
          command === "Query" &&
          JSON.stringify(input.ExpressionAttributeValues).includes(
            `"${collections.followerRowsOf(leaving.userId).pk}"`,
          ),
        { after: async () => (lateFollow = await when.follows(x!, leaving)) },
      ),
    ];

    expect((await when.deletesOwnAccount(leaving)).status).toBe(204);

    expect(hooks.map((hook) => hook.fired)).toEqual([true, true]);
    expect(lateFollow!.status, "the follow after the mark").toBe(404);
    await expectNothingLeftOf(leaving);
    expect((await getAccount(x!.userId))?.followingCount).toBe(0);
  });
});

describe("the target a follower-count write goes to", () => {
  it("follows and unfollows an account without shards in one transaction, on its profile", async () => {
    const [reader, other] = await readers(2);
    forgetFollowerCountTargets();
    expect(await requestsOf(() => when.follows(reader!, other!))).toEqual(["Query", "TransactWriteItems", "Query"]);
    expect(await requestsOf(() => when.unfollows(reader!, other!))).toEqual([
      "Query",
      "GetItem",
      "TransactWriteItems",
      "Query",
    ]);
    expect(await storedCounts(other!)).toEqual({ profile: 0, shards: [] });
  });

  it("follows an author this container has not read on its profile, then on its shards once the read-back taught it them", async () => {
    const author = await given.anAuthor();
    const [first, second] = await readers(2);
    forgetFollowerCountTargets();
    expect(await requestsOf(() => when.follows(first!, author))).toEqual(["Query", "TransactWriteItems", "Query"]);
    expect(await storedCounts(author)).toEqual({ profile: 1, shards: [0, 0, 0, 0] });
    expect(await requestsOf(() => when.follows(second!, author))).toEqual(["Query", "TransactWriteItems", "Query"]);
    const counts = await storedCounts(author);
    expect(counts.profile, "the profile's own count").toBe(1);
    expect(
      counts.shards.reduce((a, b) => a + b, 0),
      "the shards' counts together",
    ).toBe(1);
  });

  it("costs a wrong memo (shards the account does not have) one cancelled transaction and a read, never a wrong count", async () => {
    const [reader, other] = await readers(2);
    learnFollowerCountTargets(other!.userId, [0, 1, 2]);
    expect(await requestsOf(() => when.follows(reader!, other!))).toEqual([
      "Query",
      "TransactWriteItems (refused)",
      "Query",
      "TransactWriteItems",
      "Query",
    ]);
    expect(await storedCounts(other!)).toEqual({ profile: 1, shards: [] });
    // The read taught the container the truth: the next write goes to the profile at once.
    expect(await requestsOf(() => when.unfollows(reader!, other!))).toEqual([
      "Query",
      "GetItem",
      "TransactWriteItems",
      "Query",
    ]);
    expect(await storedCounts(other!)).toEqual({ profile: 0, shards: [] });
  });
});
