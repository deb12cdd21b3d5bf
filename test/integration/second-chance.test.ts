import { describe, expect, it, vi } from "vitest";

// A second chance (contract 1.2): a run deactivates an inactive account (out of every read and count at once, kept
// whole), its owner's sign-in within DEACTIVATION_GRACE restores it exactly, a run after the grace purges it, and its
// handle stays reserved for HANDLE_QUARANTINE. Runs at chosen instants; the audit checks every invariant after each.
vi.hoisted(() => {
  process.env.DEACTIVATION_GRACE = "P30D";
  process.env.HANDLE_QUARANTINE = "P1D";
});

import { expectNoDrift } from "../support/audit";
import { expectCountsEqualRelations, lastActiveAt } from "../support/cleanup";
import { postComment } from "../support/comments";
import { given } from "../support/given";
import { refuseOnce } from "../support/faults";
import { purgeAccount } from "../../shared/use-cases/cleanup/purge";
import { expectStatus } from "../support/host";
import { someComments, storedCommentsOf } from "../support/post-storage";
import { then } from "../support/then";
import { when } from "../support/when";
import {
  DAY_MS,
  aCleanupRunAt,
  historyOf,
  listOf,
  aRestoreLeftToTheSweep,
  followersOf,
  profileOf,
  restoresSettled,
  signsIn,
  stateOf,
} from "../support/second-chance";

const LONG_AGO = "2024-01-10T08:00:00.000Z";

/** An author with a post, a reader long inactive who follows it and comments, and an active account that follows the reader. */
async function aWorld() {
  const admin = await given.anAdmin();
  const author = await given.anAuthor();
  const other = await given.anAuthor();
  const reader = await given.aReader();
  const friend = await given.aReader();
  await given.entitlements(admin, reader, [{ tier: "plus", validUntil: "2024-02-01T00:00:00.000Z" }]);
  await given.aFollow(reader, author);
  await given.aFollow(reader, other);
  await given.aFollow(friend, reader);
  await given.aFollow(friend, author);
  const post = await given.aPost(author);
  // A comment needs an unexpired entitlement: granted for the comment, then back to the expired one.
  await given.entitlements(admin, reader, [{ tier: "plus" }]);
  expectStatus(await postComment(reader, post.postId, { body: "Nice call" }), 201);
  await given.entitlements(admin, reader, [{ tier: "plus", validUntil: "2024-02-01T00:00:00.000Z" }]);
  await lastActiveAt(reader, LONG_AGO);
  return { admin, author, other, reader, friend, post };
}

const commentsOf = async (postId: string) => then.itAnswers(await when.listsCommentsOf(postId), 200).items;

describe("a deactivated account", () => {
  it("is absent from every read and count, yet kept whole", async () => {
    // given an inactive reader with relations both ways, a comment and an (expired) entitlement
    const { author, other, reader, friend, post } = await aWorld();
    const before = { author: await followersOf(author), other: await followersOf(other) };

    // when a run deactivates it
    const run = await aCleanupRunAt(new Date());

    // then the run reports it, and it is gone for every reader
    expect(run).toMatchObject({ status: "succeeded", accountsDeactivated: 1, accountsDeleted: 1, accountsPurged: 0 });
    expect(await stateOf(reader)).toBe("dormant");
    then.itFails(await when.readsProfileOf(reader), 404, "not_found");
    then.itFails(await when.findsHandle(reader.handle), 404, "not_found");
    then.itFails(await when.listsFollowersOf(reader), 404, "not_found");
    then.itFails(await when.listsFollowingOf(reader), 404, "not_found");
    then.itFails(await when.asksWhetherFollowing(friend, reader), 404, "not_found");
    expect(await followersOf(author)).toBe(before.author - 1);
    expect(await followersOf(other)).toBe(before.other - 1);
    expect((await profileOf(friend))!.followingCount).toBe(1);
    const followerIds = (await listOf(author, "followers")).map((row) => row.userId);
    expect(followerIds).not.toContain(reader.userId);
    expect(await listOf(friend, "following")).toHaveLength(1);
    expect((await commentsOf(post.postId)).map((comment) => comment.authorId)).toEqual([null]);
    expect(await historyOf(author)).toEqual([
      expect.objectContaining({ runId: run.runId, after: before.author - 1, reason: "inactive_accounts_deleted" }),
    ]);
    // Its handle is kept for it: nobody else can take it during the grace.
    const taker = given.aLocalCaller();
    then.itFails(await when.savesProfile(taker, { handle: reader.handle, displayName: "Taker" }), 409, "handle_taken");
    await expectCountsEqualRelations([author, other, friend]);
    await expectNoDrift("after the deactivation");
  });

  it("comes back exactly on its owner's sign-in: counts of every related account, history points, comments' writer", async () => {
    // given a deactivated reader
    const { author, other, reader, friend, post } = await aWorld();
    const before = { author: await followersOf(author), other: await followersOf(other) };
    const run = await aCleanupRunAt(new Date());
    expect(await stateOf(reader)).toBe("dormant");

    // when its owner signs in within the grace
    const signedIn = new Date();
    const me = await signsIn(reader);
    await restoresSettled();

    // then the request answers as a live account's would, and everything is back
    expectStatus(me, 200);
    expect(me.data).toMatchObject({
      userId: reader.userId,
      handle: reader.handle,
      entitlements: [{ tier: "plus", validUntil: "2024-02-01T00:00:00.000Z" }],
      restoring: false,
      followerCount: 1,
      followingCount: 2,
    });
    expect(Date.parse(me.data.lastActiveAt)).toBeGreaterThanOrEqual(signedIn.getTime() - 1000);
    expect(await stateOf(reader)).toBe("live");
    expect(await followersOf(author)).toBe(before.author);
    expect(await followersOf(other)).toBe(before.other);
    expect((await profileOf(friend))!.followingCount).toBe(2);
    expect((await commentsOf(post.postId)).map((comment) => comment.authorId)).toEqual([reader.userId]);
    then.itAnswers(await when.findsHandle(reader.handle), 200);
    const history = await historyOf(author);
    expect(history).toEqual([
      expect.objectContaining({ before: before.author - 1, after: before.author, reason: "accounts_restored" }),
      expect.objectContaining({ runId: run.runId, reason: "inactive_accounts_deleted" }),
    ]);
    expect(Object.keys(history[0]!).sort()).toEqual(["after", "at", "before", "reason", "runId"]);
    expect(then.itAnswers(await when.readsCleanupRun(await given.anAdmin(), run.runId), 200)).toMatchObject({
      accountsDeactivated: 1,
      accountsRestored: 1,
    });
    await expectCountsEqualRelations([author, other, friend, reader]);
    await expectNoDrift("after the restore");
  });
});

describe("the grace", () => {
  it("purges a deactivated account once it has passed, and not before; counts do not change then", async () => {
    // given a reader deactivated by a run today
    const { author, reader, post } = await aWorld();
    const now = Date.now();
    await aCleanupRunAt(new Date(now));
    const count = await followersOf(author);

    // when a run comes within the grace, it is kept
    const within = await aCleanupRunAt(new Date(now + 29 * DAY_MS));
    expect(within.accountsPurged).toBe(0);
    expect(await stateOf(reader)).toBe("dormant");

    // when a run comes after it, it is purged: nothing of it is left, and no count moves
    const after = await aCleanupRunAt(new Date(now + 31 * DAY_MS));
    // (The earlier tests' deactivated readers are purged by it too: they share this file's table.)
    expect(after.accountsPurged).toBeGreaterThanOrEqual(1);
    expect(after).toMatchObject({ accountsDeactivated: 0, accountsDeleted: 0, countChanges: [] });
    expect(await stateOf(reader)).toBe("gone");
    expect(await followersOf(author)).toBe(count);
    expect((await commentsOf(post.postId)).map((comment) => comment.authorId)).toEqual([null]);
    then.itFails(await signsIn(reader), 404, "not_found");
    await expectNoDrift("after the purge");
  });

  it("is over for a sign-in after it: the account stays away until its purge", async () => {
    // given a reader deactivated 31 days ago (its grace is over) and not purged yet
    const { reader } = await aWorld();
    await aCleanupRunAt(new Date(Date.now() - 31 * DAY_MS), "2024-06-01T00:00:00.000Z");
    expect(await stateOf(reader)).toBe("dormant");

    // when its owner signs in, nothing comes back
    then.itFails(await signsIn(reader), 404, "not_found");
    expect(await stateOf(reader)).toBe("dormant");
    await expectNoDrift("after a late sign-in");
  });
});

describe("a purge", () => {
  it("takes an account larger than one transaction in rounds, its finish with the last", async () => {
    // given a reader with 13 followers and 31 comments, deactivated 31 days ago (beyond one round: 25 items of its
    // own partition, 12 relations it holds)
    const { author, reader, post } = await aWorld();
    const followers = [];
    for (let i = 0; i < 13; i++) {
      const follower = await given.aReader();
      await given.aFollow(follower, reader);
      followers.push(follower);
    }
    await someComments(post.postId, [reader], 30);
    await aCleanupRunAt(new Date(Date.now() - 31 * DAY_MS), "2024-06-01T00:00:00.000Z");
    expect(await stateOf(reader)).toBe("dormant");
    const count = await followersOf(author);

    // when a run purges it
    await aCleanupRunAt(new Date(), "2024-06-01T00:00:00.000Z");

    // then nothing of it is left, no count moved, and no comment keeps it
    expect(await stateOf(reader)).toBe("gone");
    expect(await followersOf(author)).toBe(count);
    const comments = await storedCommentsOf(post.postId);
    expect(comments).toHaveLength(31);
    expect(comments.filter((comment) => comment.authorId !== null || "dormantAuthorId" in comment)).toEqual([]);
    await expectCountsEqualRelations([author, ...followers]);
    await expectNoDrift("after a purge in rounds");
  });

  it("purges two accounts that follow each other at once, each relation once, whichever transaction comes first", async () => {
    // given two readers who follow each other and an author, deactivated together 31 days ago (the first deactivated
    // holds both their relations; the other's partition has one of them)
    const { author } = await aWorld();
    const pair = [await given.aReader(), await given.aReader()] as const;
    await given.aFollow(pair[0], pair[1]);
    await given.aFollow(pair[1], pair[0]);
    for (const reader of pair) {
      await given.aFollow(reader, author);
      await lastActiveAt(reader, LONG_AGO);
    }
    await aCleanupRunAt(new Date(Date.now() - 31 * DAY_MS), "2024-06-01T00:00:00.000Z");
    for (const reader of pair) expect(await stateOf(reader)).toBe("dormant");
    const count = await followersOf(author);

    // when two workers purge them at the same time (their reads, then their transactions, interleaved)
    const now = new Date();
    const steps = () => ({ run: null, deadline: Date.now() + 60_000, now, touched: new Set<string>() });
    const outcomes = await Promise.all(pair.map((reader) => purgeAccount(reader.userId, steps())));

    // then both are gone, each relation deleted once, no count moved
    expect(outcomes).toEqual(["purged", "purged"]);
    for (const reader of pair) expect(await stateOf(reader)).toBe("gone");
    expect(await followersOf(author)).toBe(count);
    await expectCountsEqualRelations([author]);
    await expectNoDrift("after two purges at once");
  });

  it("goes on item by item when its one transaction is refused (something changed since its round read it)", async () => {
    // given a reader deactivated 31 days ago, and its purge's transaction refused once, as when a relation or a
    // comment changed between the round's reads and its transaction
    const { author, friend, reader, post } = await aWorld();
    await aCleanupRunAt(new Date(Date.now() - 31 * DAY_MS), "2024-06-01T00:00:00.000Z");
    const count = await followersOf(author);
    const refused = refuseOnce("REMOVE dormantAuthorId");

    // when a run purges it
    const run = await aCleanupRunAt(new Date(), "2024-06-01T00:00:00.000Z");
    refused.stop();

    // then the refusal happened, and the purge still did all of it, once
    expect(refused.refusals()).toBe(1);
    expect(run.accountsPurged).toBeGreaterThanOrEqual(1);
    expect(await stateOf(reader)).toBe("gone");
    expect(await followersOf(author)).toBe(count);
    expect((await commentsOf(post.postId)).map((comment) => comment.authorId)).toEqual([null]);
    await expectCountsEqualRelations([author, friend]);
    await expectNoDrift("after a purge item by item");
  });
});

describe("the handle of a purged account", () => {
  it("stays reserved for HANDLE_QUARANTINE: taken for every other account, free for its owner, free for all after", async () => {
    // given two readers purged now and a week ago (HANDLE_QUARANTINE is P1D here)
    const { reader } = await aWorld();
    const early = await given.aReader();
    await lastActiveAt(early, LONG_AGO);
    await aCleanupRunAt(new Date(Date.now() - 40 * DAY_MS), "2024-06-01T00:00:00.000Z");
    await aCleanupRunAt(new Date(Date.now() - 7 * DAY_MS), "2024-06-01T00:00:00.000Z");
    expect(await stateOf(early)).toBe("gone");
    expect(await stateOf(reader)).toBe("gone");
    const taker = given.aLocalCaller();
    // The purge a week ago quarantined both handles until six days ago: they are free again.
    expectStatus(await when.savesProfile(taker, { handle: early.handle, displayName: "New" }), 201);

    // when a reader is purged now
    const fresh = await given.aReader();
    await lastActiveAt(fresh, LONG_AGO);
    await aCleanupRunAt(new Date(Date.now() - 35 * DAY_MS), "2024-06-01T00:00:00.000Z");
    await aCleanupRunAt(new Date(), "2024-06-01T00:00:00.000Z");
    expect(await stateOf(fresh)).toBe("gone");

    // then nobody else may take its handle, in any case, and a lookup finds nobody
    const other = given.aLocalCaller();
    then.itFails(
      await when.savesProfile(other, { handle: fresh.handle.toUpperCase(), displayName: "Poser" }),
      409,
      "handle_taken",
    );
    then.itFails(await when.findsHandle(fresh.handle), 404, "not_found");
    // ... but its owner may (its account is new: nothing of the old one is in it)
    const back = await when.savesProfile(fresh, { handle: fresh.handle, displayName: "Back" });
    expect(then.itAnswers(back, 201)).toMatchObject({ followerCount: 0, followingCount: 0, restoring: false });
    await expectNoDrift("after the quarantine");
  });
});

describe("a restore racing other writes", () => {
  it("does not bring back a relation its follower dropped while the restore was under way", async () => {
    // given a deactivated reader whose restore has begun but not reached its relations yet
    const { reader, friend } = await aWorld();
    await aCleanupRunAt(new Date());
    await aRestoreLeftToTheSweep(reader);

    // when its follower unfollows it meanwhile, then the restore goes on
    expect(then.itAnswers(await when.unfollows(friend, reader), 200)).toEqual({
      following: false,
      followerCount: 0,
    });
    await restoresSettled();

    // then the relation stays gone, and every count says so
    expect(then.itAnswers(await when.asksWhetherFollowing(friend, reader), 200)).toEqual({
      following: false,
    });
    expect(await followersOf(reader)).toBe(0);
    await expectCountsEqualRelations([reader, friend]);
    await expectNoDrift("after an unfollow met a restore");
  });

  it("counts a follow that meets the restore's own revival of the same relation once", async () => {
    const { reader, friend } = await aWorld();
    await aCleanupRunAt(new Date());
    await aRestoreLeftToTheSweep(reader);

    const [followed] = await Promise.all([when.follows(friend, reader), restoresSettled()]);
    expectStatus(followed, 200);
    await restoresSettled();
    expect(await followersOf(reader)).toBe(1);
    await expectCountsEqualRelations([reader, friend]);
    await expectNoDrift("after a follow met a restore");
  });

  it("hands a relation between two deactivated accounts on, and gives it back when the second one returns", async () => {
    // given two readers deactivated by two runs, the first following the second
    const first = await given.aReader();
    const second = await given.aReader();
    await given.aFollow(first, second);
    await lastActiveAt(first, LONG_AGO);
    await aCleanupRunAt(new Date());
    await lastActiveAt(second, LONG_AGO);
    await aCleanupRunAt(new Date());

    // when the first returns while the second is still deactivated, the relation waits with the second
    expectStatus(await signsIn(first), 200);
    await restoresSettled();
    expect((await profileOf(first))!.followingCount).toBe(0);

    // and when the second returns, it is back
    expectStatus(await signsIn(second), 200);
    await restoresSettled();
    expect((await profileOf(first))!.followingCount).toBe(1);
    expect(await followersOf(second)).toBe(1);
    await expectNoDrift("after both returned");
  });

  it("keeps every count exact while sign-ins, follows, unfollows and another run go on at once", async () => {
    // given ten deactivated readers following two authors and each other
    const authors = [await given.anAuthor(), await given.anAuthor()];
    const sleepers = await Promise.all(Array.from({ length: 10 }, () => given.aReader()));
    const active = await Promise.all(Array.from({ length: 6 }, () => given.aReader()));
    for (const reader of sleepers) for (const author of authors) await given.aFollow(reader, author);
    for (let i = 1; i < sleepers.length; i++) await given.aFollow(sleepers[i]!, sleepers[i - 1]!);
    // and four more that the next run deactivates
    const next = await Promise.all(Array.from({ length: 4 }, () => given.aReader()));
    for (const reader of next) {
      await given.aFollow(reader, authors[0]!);
      await given.aFollow(reader, sleepers[0]!);
    }
    for (const reader of sleepers) await lastActiveAt(reader, LONG_AGO);
    await aCleanupRunAt(new Date());
    for (const reader of next) await lastActiveAt(reader, LONG_AGO);

    // when half of them sign in while others follow and unfollow them and their authors, and a run goes on
    await Promise.all([
      ...sleepers.slice(0, 5).map((reader) => signsIn(reader)),
      ...active.map(async (reader, i) => {
        for (const target of [sleepers[i]!, authors[i % 2]!, sleepers[(i + 1) % 10]!]) {
          await when.follows(reader, target);
          if (i % 2 === 0) await when.unfollows(reader, target);
        }
      }),
      aCleanupRunAt(new Date()),
    ]);
    await restoresSettled();

    // then every count equals its relations, and nothing is left half-done
    await expectCountsEqualRelations([...authors, ...sleepers, ...active, ...next]);
    await expectNoDrift("after the races");
  });
});
