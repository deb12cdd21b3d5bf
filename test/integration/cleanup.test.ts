import { describe, expect, it } from "vitest";
import { getAccount } from "../../shared/db/account-store";
import { dynamoDb } from "../../shared/db/client";
import { keys } from "../../shared/db/keys";
import { beginRun, failRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { api } from "../support/api/in-process";
import {
  aCompletedRun,
  expectCountsEqualRelations,
  expectNoCleanupLeftovers,
  expectNothingLeftOf,
  exists,
  lastActiveAt,
  settledRun,
} from "../support/cleanup";
import { someComments, storedCommentIndexOf, storedCommentsOf } from "../support/post-storage";
import { given } from "../support/given";
import { expectStatus, type TestUser } from "../support/host";
import { expectError, expectNoStorageDetails, expectValidationFailed, then } from "../support/then";
import { when } from "../support/when";

const LONG_AGO = "2025-01-10T08:00:00.000Z";
const inFuture = () => new Date(Date.now() + 3_600_000).toISOString();

describe("POST /admin/cleanup-runs: who, what and when", () => {
  it("refuses non-admins (403), bad input (400, before 403), admins without a profile (403 profile_required)", async () => {
    const reader = await given.aReader();
    const author = await given.anAuthor();
    expectError(await when.startsCleanup(reader, {}), 403, "forbidden");
    expectError(await when.startsCleanup(author, { dryRun: true }), 403, "forbidden");
    expectError(await api.GET("/admin/cleanup-runs", { token: reader.token }), 403, "forbidden");
    expectError(await when.readsCleanupRun(reader, "01J00000000000000000000000"), 403, "forbidden");
    expect((await api.POST("/admin/cleanup-runs", { body: {} })).status).toBe(401);
    // 400 comes before the role's 403.
    expectError(await when.startsCleanup(reader, { cutoff: inFuture() }), 400, "validation_failed");

    const admin = await given.anAdmin();
    for (const body of [
      { cutoff: inFuture() },
      { cutoff: "yesterday" },
      { cutoff: "2025-13-01T00:00:00Z" },
      { dryRun: "yes" },
      { role: "x" },
    ]) {
      const response = await api.unchecked("POST", "/admin/cleanup-runs", { token: admin.token, body });
      expectError(response, 400, "validation_failed", JSON.stringify(body));
      expect(expectValidationFailed(response).details.length).toBeGreaterThan(0);
    }
    const future = await when.startsCleanup(admin, { cutoff: inFuture() });
    expect(expectValidationFailed(future).details).toEqual([{ field: "cutoff", message: "must not be in the future" }]);

    const noProfile = given.aLocalCaller(["admins"]);
    expectError(await when.startsCleanup(noProfile, {}), 403, "profile_required");
    expectError(await when.readsCleanupRun(admin, "01J00000000000000000000000"), 404, "not_found");
  });

  it("runs one at a time (409 while the lease is held), and an expired lease lets the next run start", async () => {
    const admin = await given.anAdmin();
    const now = new Date();
    const holder = await beginRun({ dryRun: true, cutoff: "2024-06-01T00:00:00.000Z" }, now);
    const refused = await when.startsCleanup(admin, { dryRun: true });
    expectError(refused, 409, "cleanup_already_running");
    expect((await when.readsCleanupRun(admin, holder.runId)).data.status).toBe("running");

    // The holder died without releasing its lease: once the lease has expired, a new run takes over.
    const later = new Date(now.getTime() + 16 * 60 * 1000);
    const next = await beginRun({ dryRun: true, cutoff: "2024-06-01T00:00:00.000Z" }, later);
    const died = (await when.readsCleanupRun(admin, holder.runId)).data;
    expect(died).toMatchObject({ status: "failed", finishedAt: later.toISOString() });
    await failRun(ticketOf(next), later);

    // Released in the same write that ended the run: a new run may start at once.
    const run = await aCompletedRun(admin, { dryRun: true, cutoff: "2024-06-01T00:00:00Z" });
    expect(run.status).toBe("succeeded");
  });

  it("answers 202 with the Run, and lists runs newest first with a cursor", async () => {
    const admin = await given.anAdmin();
    const started = await when.startsCleanup(admin, { dryRun: true, cutoff: "2024-03-05T10:00:00+02:00" });
    expect(started.status).toBe(202);
    expectNoStorageDetails(started.text);
    expect(started.json).toEqual({
      runId: expect.any(String),
      status: "running",
      dryRun: true,
      cutoff: "2024-03-05T08:00:00.000Z",
      startedAt: expect.any(String),
      accountsDeleted: 0,
      followEdgesDeleted: 0,
      commentsAnonymized: 0,
      noticesSent: 0,
      deletionsDeferred: 0,
      accountsDeactivated: 0,
      accountsPurged: 0,
      accountsRestored: 0,
      countChanges: [],
      countChangesTotal: 0,
    });
    const run = await settledRun(admin, started.data.runId);
    expect(run).toMatchObject({ status: "succeeded", finishedAt: expect.any(String) });
    const second = await aCompletedRun(admin, { dryRun: true });
    const cutoff = Date.parse(second.cutoff);
    const expected = Date.now() - 365 * 24 * 3600 * 1000;
    expect(Math.abs(cutoff - expected)).toBeLessThan(60_000);

    // Newest first (by start time; the lease test above started one run with a clock in the future).
    const all = await api.GET("/admin/cleanup-runs", { query: { limit: 100 }, token: admin.token });
    const ids: string[] = all.data.items.map((r: { runId: string }) => r.runId);
    expect(ids.indexOf(second.runId)).toBeLessThan(ids.indexOf(run.runId));
    const startTimes: string[] = all.data.items.map((r: { startedAt: string }) => r.startedAt);
    expect([...startTimes].sort().reverse()).toEqual(startTimes);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const response = await api.GET("/admin/cleanup-runs", {
        query: { limit: 1, ...(cursor ? { cursor } : {}) },
        token: admin.token,
      });
      expectNoStorageDetails(response.text);
      paged.push(...response.data.items.map((run) => run.runId));
      cursor = response.data.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(ids);
    expectError(
      await api.GET("/admin/cleanup-runs", { query: { cursor: "abc" }, token: admin.token }),
      400,
      "invalid_cursor",
    );
    expectError(
      await api.GET("/admin/cleanup-runs", { query: { limit: 0 }, token: admin.token }),
      400,
      "validation_failed",
    );
  });
});

describe("a run deletes the inactive and keeps the exempt", () => {
  it("deletes inactive readers exactly as the contract says, with an exact report, counts and follower history", async () => {
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const [inactive, expiredSubscriber, subscriber, lifetimeSubscriber, activeReader] = await Promise.all(
      Array.from({ length: 5 }, () => given.aReader()),
    );
    const inactiveAuthor = await given.anAuthor();
    const inactiveAdmin = await given.anAdmin();
    await given.entitlements(admin, expiredSubscriber!, [{ tier: "plus", validUntil: "2025-06-01T00:00:00Z" }]);
    await given.entitlements(admin, subscriber!, [{ tier: "plus", validUntil: "2099-01-01T00:00:00Z" }]);
    await given.entitlements(admin, lifetimeSubscriber!, [{ tier: "select", authorId: author.userId }]);
    await given.entitlements(admin, inactive!, [{ tier: "ultimate", validUntil: "2025-02-01T00:00:00Z" }]);
    for (const follower of [inactive!, expiredSubscriber!, activeReader!, subscriber!])
      await given.aFollow(follower, author);
    await given.aFollow(author, inactive!);
    await given.aFollow(activeReader!, inactive!);
    await given.aFollow(inactive!, expiredSubscriber!);
    const post = await given.aPost(author);
    const [commentOfInactive] = await someComments(post.postId, [inactive!], 1);
    await someComments(post.postId, [activeReader!], 1);
    const before = await getAccount(author.userId);
    expect(before!.followerCount).toBe(4);

    for (const user of [
      inactive!,
      expiredSubscriber!,
      subscriber!,
      lifetimeSubscriber!,
      inactiveAuthor,
      inactiveAdmin,
    ]) {
      await lastActiveAt(user, LONG_AGO);
    }
    const run = await aCompletedRun(admin);

    expect(run).toMatchObject({
      status: "succeeded",
      dryRun: false,
      accountsDeleted: 2,
      followEdgesDeleted: 5,
      commentsAnonymized: 1,
    });
    expect(run.countChanges).toEqual([{ userId: author.userId, before: 4, after: 2 }]);
    expect(run.countChangesTotal).toBe(1);
    expectNoStorageDetails(JSON.stringify(run));

    for (const gone of [inactive!, expiredSubscriber!]) {
      expect(await exists(gone)).toBe(false);
      await expectNothingLeftOf(gone);
    }
    for (const kept of [
      author,
      subscriber!,
      lifetimeSubscriber!,
      activeReader!,
      inactiveAuthor,
      inactiveAdmin,
      admin,
    ]) {
      expect(await exists(kept), kept.userId).toBe(true);
    }
    expect((await when.readsProfileOf(author)).json).toMatchObject({
      followerCount: 2,
      followingCount: 0,
    });
    expect((await when.readsProfileOf(activeReader!)).json).toMatchObject({
      followingCount: 1,
    });
    await expectCountsEqualRelations([author, subscriber!, activeReader!]);
    await expectNoCleanupLeftovers();

    // Comments stay without their writer; the post's count is unchanged; the writer's index is gone.
    const comments = await storedCommentsOf(post.postId);
    expect(comments.find((c) => c.commentId === commentOfInactive)).toMatchObject({ authorId: null });
    expect(comments.filter((c) => c.authorId === activeReader!.userId)).toHaveLength(1);
    expect(await storedCommentIndexOf(inactive!)).toEqual([]);
    expect((await when.readsPost(post.postId)).data.commentCount).toBe(2);

    // The handle is free again.
    const newcomer = given.aLocalCaller();
    expectStatus(
      await when.savesProfile(newcomer, { handle: inactive!.handle.toUpperCase(), displayName: "New" }),
      201,
    );

    // Anyone can see why the count dropped.
    const history = await api.GET("/users/{userId}/follower-history", { path: { userId: author.userId } });
    expect(history.status).toBe(200);
    expect(history.json).toEqual({
      items: [{ at: expect.any(String), runId: run.runId, before: 4, after: 2, reason: "inactive_accounts_deleted" }],
      nextCursor: null,
    });
    expect(
      (await api.GET("/users/{userId}/follower-history", { path: { userId: activeReader!.userId } })).json,
    ).toEqual({
      items: [],
      nextCursor: null,
    });
    expectError(
      await api.GET("/users/{userId}/follower-history", { path: { userId: inactive!.userId } }),
      404,
      "not_found",
    );

    // A second run finds nothing more to do and changes nothing.
    const again = await aCompletedRun(admin);
    expect(again).toMatchObject({
      status: "succeeded",
      accountsDeleted: 0,
      followEdgesDeleted: 0,
      commentsAnonymized: 0,
      countChanges: [],
      countChangesTotal: 0,
    });
    expect(
      (await api.GET("/users/{userId}/follower-history", { path: { userId: author.userId } })).data.items,
    ).toHaveLength(1);
  });

  it("a dry run changes nothing and reports what the real run then does", async () => {
    const admin = await given.anAdmin();
    const authors = [await given.anAuthor(), await given.anAuthor()];
    const readers = await Promise.all(Array.from({ length: 6 }, () => given.aReader()));
    const [a, b, c, d, active1, active2] = readers as [TestUser, TestUser, TestUser, TestUser, TestUser, TestUser];
    for (const follower of [a, b, c, active1]) await given.aFollow(follower, authors[0]!);
    for (const follower of [a, d, active2]) await given.aFollow(follower, authors[1]!);
    await given.aFollow(a, b);
    await given.aFollow(b, a);
    await given.aFollow(active1, c);
    const post = await given.aPost(authors[1]!);
    await someComments(post.postId, [a, b, active1], 6);
    for (const user of [a, b, c, d]) await lastActiveAt(user, "2025-02-01T00:00:00.000Z");
    const cutoff = "2025-03-01T00:00:00.000Z";

    const snapshot = async () =>
      Promise.all([...authors, ...readers].map(async (user) => (await when.readsProfileOf(user)).data));
    const comments = async () => (await storedCommentsOf(post.postId)).map((comment) => comment.authorId);
    const [profilesBefore, commentsBefore] = [await snapshot(), await comments()];

    const dry = await aCompletedRun(admin, { dryRun: true, cutoff });
    expect(await snapshot()).toEqual(profilesBefore);
    expect(await comments()).toEqual(commentsBefore);
    expect(
      (await api.GET("/users/{userId}/follower-history", { path: { userId: authors[0]!.userId } })).data.items,
    ).toEqual([]);
    const expectedChanges = [
      { userId: authors[0]!.userId, before: 4, after: 1 },
      { userId: authors[1]!.userId, before: 3, after: 1 },
    ].sort((x, y) => (x.userId < y.userId ? -1 : 1));
    expect(dry).toMatchObject({
      status: "succeeded",
      dryRun: true,
      accountsDeleted: 4,
      followEdgesDeleted: 8,
      commentsAnonymized: 4,
    });
    expect(dry.countChanges).toEqual(expectedChanges);

    const real = await aCompletedRun(admin, { cutoff });
    expect(real).toMatchObject({ dryRun: false, accountsDeleted: 4, followEdgesDeleted: 8, commentsAnonymized: 4 });
    expect(real.countChanges).toEqual(expectedChanges);
    await expectCountsEqualRelations([...authors, active1, active2]);
    expect(
      (await api.GET("/users/{userId}/follower-history", { path: { userId: authors[1]!.userId } })).data.items,
    ).toEqual([
      { at: expect.any(String), runId: real.runId, before: 3, after: 1, reason: "inactive_accounts_deleted" },
    ]);
  });
});

describe("DELETE /me", () => {
  it("deletes the caller's account as the cleanup does, an author's posts with their comments included", async () => {
    const author = await given.anAuthor();
    const reader = await given.aReader();
    const other = await given.anAuthor();
    await given.aFollow(reader, author);
    await given.aFollow(author, other);
    const ownPost = await given.aPost(author, {});
    await someComments(ownPost.postId, [reader], 3);
    const otherPost = await given.aPost(other);
    await someComments(otherPost.postId, [author], 2);
    const idempotent = await api.POST("/posts", {
      token: author.token,
      headers: { "Idempotency-Key": "k1" },
      body: { title: "t", body: "b", access: "free" },
    });
    expectStatus(idempotent, 201);

    const response = await when.deletesOwnAccount(author);
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
    expect((await when.readsOwnAccount(author)).status).toBe(404);
    expect((await when.readsPost(ownPost.postId)).status).toBe(404);
    await expectNothingLeftOf(author);
    expect(await storedCommentIndexOf(reader)).toEqual([]);
    expect((await storedCommentsOf(otherPost.postId)).map((c) => c.authorId)).toEqual([null, null]);
    expect((await when.readsProfileOf(other)).data.followerCount).toBe(0);
    expect((await when.readsProfileOf(reader)).data.followingCount).toBe(0);
    await expectCountsEqualRelations([reader, other]);
    await expectNoCleanupLeftovers();

    expectError(await when.deletesOwnAccount(author), 404, "not_found");
    expectError(await api.DELETE("/me", { token: given.aLocalCaller().token }), 404, "not_found");
    expect((await api.DELETE("/me")).status).toBe(401);
    expectError(await api.DELETE("/me", { token: reader.token, body: { force: true } }), 400, "validation_failed");
    // The same person may sign up again, with the same handle.
    expectStatus(await when.savesProfile(author, { handle: author.handle, displayName: "Back" }), 201);
  });

  it("an interrupted DELETE /me leaves the account gone for everyone, and the next run finishes it", async () => {
    const { deleteMyAccount } = await import("../../shared/use-cases/account-deletion");
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const readers = await Promise.all(Array.from({ length: 3 }, () => given.aReader()));
    for (const reader of readers) await given.aFollow(reader, author);
    const post = await given.aPost(author);
    await someComments(post.postId, readers, 4);

    await deleteMyAccount(author.userId, true, new Date(), -1);
    expect(await exists(author)).toBe(false);
    expect((await when.readsOwnAccount(author)).status).toBe(404);
    // Nothing can be added to an account being deleted.
    expect((await when.follows(admin, author)).status).toBe(404);
    expectError(await when.publishes(author, { title: "t", body: "b", access: "free" }), 403, "profile_required");
    expectError(await when.grants(admin, author, []), 404, "not_found");
    const followers = await when.listsFollowingOf(readers[0]!);
    expect(followers.data.items).toEqual([]);

    const run = await aCompletedRun(admin, { cutoff: "2024-01-01T00:00:00Z" });
    expect(run).toMatchObject({ accountsDeleted: 1, followEdgesDeleted: 3, commentsAnonymized: 0 });
    await expectNothingLeftOf(author);
    expect((await when.readsPost(post.postId)).status).toBe(404);
    await expectCountsEqualRelations(readers);
    await expectNoCleanupLeftovers();
  });
});

describe("a deletion finished by another attempt", () => {
  it("a DELETE /me still going on leaves the owner's new account alone: posts, follows and counts", async () => {
    const { deleteMarkedAccount, deleteMyAccount } = await import("../../shared/use-cases/account-deletion");
    // Given an author whose DELETE /me finished while a second one was still under way,
    const author = await given.anAuthor();
    const other = await given.anAuthor();
    await given.aFollow(author, other);
    await deleteMyAccount(author.userId, true);
    // and who has signed up again, published and followed,
    expectStatus(await when.savesProfile(author, { handle: author.handle, displayName: "Back" }), 201);
    const newPost = await given.aPost(author);
    await given.aFollow(author, other);

    // when the second DELETE /me goes on where it was,
    const outcome = await deleteMarkedAccount(author.userId, {
      run: null,
      deadline: Date.now() + 5_000,
      now: new Date(),
      touched: new Set(),
    });

    // then it finds the deletion finished and the new account whole.
    expect(outcome).toBe("deleted");
    then.itAnswers(await when.readsPost(newPost.postId), 200);
    expect(await then.followerCountOf(other)).toBe(1);
    expect(then.itAnswers(await when.readsOwnAccount(author), 200).followingCount).toBe(1);
    await expectCountsEqualRelations([author, other]);
  });
});

describe("accounts that change during a run", () => {
  it("keeps an account that became active, got an entitlement or a role between its check and its mark", async () => {
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const [activeAgain, subscribed, promoted, deleted] = await Promise.all(
      Array.from({ length: 4 }, () => given.aReader()),
    );
    for (const reader of [activeAgain!, subscribed!, promoted!, deleted!]) {
      await given.aFollow(reader, author);
      await lastActiveAt(reader, LONG_AGO);
    }
    const interventions: Record<string, () => Promise<unknown>> = {
      [activeAgain!.userId]: () => when.readsOwnAccount(activeAgain!),
      [subscribed!.userId]: () => when.grants(admin, subscribed!, [{ tier: "plus" }]),
      [promoted!.userId]: async () => {
        const { tokenFor } = await import("../support/api/in-process");
        return api.GET("/me", { token: tokenFor(promoted!.userId, ["authors"]) });
      },
    };
    // Right before the run's mark of each of them is sent, the account changes (a middleware on the client).
    const name = `intervene-${Math.random()}`;
    dynamoDb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "TransactWriteItemsCommand") {
          const items = ((args.input as { TransactItems?: unknown[] }).TransactItems ?? []) as {
            Update?: { Key?: { pk?: string | { S?: string } }; UpdateExpression?: string };
          }[];
          const mark = items[0]?.Update;
          const pk = mark?.Key?.pk;
          const partition = typeof pk === "string" ? pk : (pk?.S ?? "");
          const userId = mark?.UpdateExpression?.startsWith("SET deletion")
            ? Object.keys(interventions).find((id) => keys.account(id).pk === partition)
            : undefined;
          const intervene = userId === undefined ? undefined : interventions[userId];
          if (intervene) {
            delete interventions[userId!];
            await intervene();
          }
        }
        return next(args);
      },
      { step: "initialize", name },
    );
    const run = await aCompletedRun(admin);
    dynamoDb.middlewareStack.remove(name);
    expect(Object.keys(interventions)).toEqual([]);

    expect(run).toMatchObject({ status: "succeeded", accountsDeleted: 1 });
    expect(await exists(activeAgain!)).toBe(true);
    expect(await exists(subscribed!)).toBe(true);
    expect((await when.readsProfileOf(promoted!)).data.role).toBe("author");
    expect(await exists(deleted!)).toBe(false);
    expect(run.countChanges).toEqual([{ userId: author.userId, before: 4, after: 3 }]);
    await expectCountsEqualRelations([author]);
  });

  it("keeps every count exact while follows and unfollows of the same accounts go on during the run", async () => {
    const { runToCompletion } = await import("../../shared/use-cases/cleanup/runner");
    const admin = await given.anAdmin();
    const authors = await Promise.all(Array.from({ length: 3 }, () => given.anAuthor()));
    const inactive = await Promise.all(Array.from({ length: 16 }, () => given.aReader()));
    const active = await Promise.all(Array.from({ length: 8 }, () => given.aReader()));
    for (const [i, reader] of inactive.entries()) {
      for (const author of authors) await given.aFollow(reader, author);
      await given.aFollow(active[i % active.length]!, reader);
    }
    for (const reader of inactive) await lastActiveAt(reader, LONG_AGO);

    const run = await beginRun({ dryRun: false, cutoff: "2025-06-01T00:00:00.000Z" }, new Date());
    let running = true;
    const churn = async (reader: TestUser) => {
      let rounds = 0;
      while (running || rounds < 2) {
        for (const author of authors) {
          await given.aFollow(reader, author);
          if (rounds % 2 === 0) await given.anUnfollow(reader, author);
        }
        rounds++;
      }
    };
    const churning = active.map(churn);
    await runToCompletion(ticketOf(run), { now: () => new Date(), budgetMs: 60_000 });
    running = false;
    await Promise.all(churning);

    const report = await settledRun(admin, run.runId);
    expect(report).toMatchObject({ status: "succeeded", accountsDeleted: 16, followEdgesDeleted: 16 * 4 });
    await expectCountsEqualRelations([...authors, ...active]);
    for (const author of authors) {
      const change = report.countChanges.find((c) => c.userId === author.userId);
      expect(change?.before).toBeGreaterThanOrEqual(16);
      expect(change?.after).toBeLessThanOrEqual(active.length);
    }
    await expectNoCleanupLeftovers();
    // The churn goes on for as long as the run takes: about 28 s on a busy 2-core machine, past the default 30 s.
  }, 120_000);
});
