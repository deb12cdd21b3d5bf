import { describe, expect, it } from "vitest";
import { beginRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { runToCompletion } from "../../shared/use-cases/cleanup/runner";
import { api } from "../support/api/in-process";
import {
  expectCountsEqualRelations,
  expectNoCleanupLeftovers,
  expectNothingLeftOf,
  exists,
  lastActiveAt,
  settledRun,
} from "../support/cleanup";
import { crash, injectFaults } from "../support/faults";
import { someComments, storedCommentIndexOf, storedCommentsOf } from "../support/post-storage";
import { given } from "../support/given";
import { expectStatus } from "../support/host";
import { when } from "../support/when";

// A run killed after K writes (an injected fault: from then on every DynamoDB request fails, as if the process
// died; not even the run's failure can be recorded, so its lease stays until it expires), then a new run:
// whatever K, the second run converges to exactly what one uninterrupted run leaves.

const LEASE_EXPIRED_MS = 16 * 60 * 1000;

describe.each([0, 1, 3, 7, 15, 40, 46])("a run killed after %i writes, then run again", (killAfter) => {
  it("converges: nothing half-deleted, counts exact, comments anonymized, handles freed, survivors kept", async () => {
    const admin = await given.anAdmin();
    const authors = [await given.anAuthor(), await given.anAuthor()] as const;
    const survivor = await given.aReader();
    const inactive = await Promise.all(Array.from({ length: 6 }, () => given.aReader()));
    for (const reader of inactive) for (const author of authors) await given.aFollow(reader, author);
    await given.aFollow(inactive[0]!, inactive[1]!);
    await given.aFollow(inactive[1]!, inactive[2]!);
    await given.aFollow(inactive[2]!, inactive[0]!);
    await given.aFollow(survivor, inactive[3]!);
    await given.aFollow(inactive[4]!, survivor);
    await given.aFollow(survivor, authors[0]);
    const post = await given.aPost(authors[0]);
    await someComments(post.postId, [...inactive, survivor], 7);
    for (const reader of inactive) await lastActiveAt(reader, "2025-01-10T08:00:00.000Z");
    const cutoff = "2025-06-01T00:00:00.000Z";

    const started = new Date();
    const first = await beginRun({ dryRun: false, cutoff }, started);
    let writes = 0;
    const faults = injectFaults((command) => {
      if (writes >= killAfter) return crash();
      if (command === "TransactWriteItems" || command === "BatchWriteItem") writes++;
      return undefined;
    });
    await expect(runToCompletion(ticketOf(first), { now: () => started, budgetMs: 60_000 })).rejects.toMatchObject({
      name: "InjectedCrash",
    });
    faults.stop();
    // Killed: its record still says running and its lease holds, until the lease expires.
    expect((await when.readsCleanupRun(admin, first.runId)).data.status).toBe("running");
    expect((await when.startsCleanup(admin, { cutoff })).status).toBe(409);

    const later = new Date(started.getTime() + LEASE_EXPIRED_MS);
    const second = await beginRun({ dryRun: false, cutoff }, later);
    await runToCompletion(ticketOf(second), { now: () => later, budgetMs: 60_000 });

    const [firstReport, secondReport] = [await settledRun(admin, first.runId), await settledRun(admin, second.runId)];
    expect(firstReport.status).toBe("failed");
    expect(secondReport.status).toBe("succeeded");
    // Every deletion is counted once, by the run that finished it.
    expect(firstReport.accountsDeleted + secondReport.accountsDeleted).toBe(6);
    expect(firstReport.followEdgesDeleted + secondReport.followEdgesDeleted).toBe(12 + 3 + 1 + 1);
    expect(firstReport.commentsAnonymized + secondReport.commentsAnonymized).toBe(6);
    const changes = [...firstReport.countChanges, ...secondReport.countChanges].sort((a, b) =>
      a.userId < b.userId ? -1 : 1,
    );
    expect(changes).toEqual(
      [
        { userId: authors[0].userId, before: 7, after: 1 },
        { userId: authors[1].userId, before: 6, after: 0 },
        { userId: survivor.userId, before: 1, after: 0 },
      ].sort((a, b) => (a.userId < b.userId ? -1 : 1)),
    );

    for (const reader of inactive) {
      expect(await exists(reader)).toBe(false);
      await expectNothingLeftOf(reader);
      expect(await storedCommentIndexOf(reader)).toEqual([]);
    }
    for (const kept of [admin, ...authors, survivor]) expect(await exists(kept)).toBe(true);
    await expectCountsEqualRelations([...authors, survivor]);
    expect((await when.readsProfileOf(survivor)).json).toMatchObject({
      followerCount: 0,
      followingCount: 1,
    });
    const comments = await storedCommentsOf(post.postId);
    expect(comments.map((comment) => comment.authorId).sort()).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      survivor.userId,
    ]);
    expect((await when.readsPost(post.postId)).data.commentCount).toBe(7);
    const history = (await api.GET("/users/{userId}/follower-history", { path: { userId: authors[0].userId } })).data
      .items;
    expect(history).toEqual([
      { at: expect.any(String), runId: expect.any(String), before: 7, after: 1, reason: "inactive_accounts_deleted" },
    ]);
    await expectNoCleanupLeftovers();
    // Every handle is free again.
    for (const reader of inactive) {
      expectStatus(await when.savesProfile(reader, { handle: reader.handle, displayName: "again" }), 201);
    }
  });
});
