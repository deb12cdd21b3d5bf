import { describe, expect, it, vi } from "vitest";

// A batch step of a run that deactivates (contract 1.2): its candidates read together and each carried through its
// mark and deactivation, and its account totals exact whatever the state machine retries.
vi.hoisted(() => {
  process.env.DEACTIVATION_GRACE = "P30D";
});

import { processBatch as processBatchStep } from "../../shared/use-cases/cleanup/batch";
import { beginRun, succeedRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { recountStep } from "../../shared/use-cases/cleanup/recount";
import { readRun } from "../../shared/use-cases/cleanup/reports";
import { expectCountsEqualRelations, lastActiveAt } from "../support/cleanup";
import { crash, injectFaults } from "../support/faults";
import { given } from "../support/given";
import { recordDynamoDbRequests } from "../support/request-recorder";

describe("a batch step of a deactivating run", () => {
  /** Inactive readers, each following one author (its relation to move out, its counts to touch). */
  async function inactiveFollowersOfAnAuthor(count: number) {
    const author = await given.anAuthor();
    const readers = await Promise.all(Array.from({ length: count }, () => given.aReader()));
    for (const reader of readers) await given.aFollow(reader, author);
    for (const reader of readers) await lastActiveAt(reader, "2024-05-01T00:00:00.000Z");
    return { author, userIds: readers.map((reader) => reader.userId) };
  }

  it("reads its candidates together, each account once more at most, and counts each once however often it is retried", async () => {
    const { author, userIds } = await inactiveFollowersOfAnAuthor(3);
    const now = new Date();
    const run = ticketOf(await beginRun({ dryRun: false, cutoff: "2024-06-01T00:00:00.000Z" }, now));

    const recording = recordDynamoDbRequests();
    expect(await processBatchStep(run, userIds, now, 60_000)).toEqual({ remaining: [] });
    recording.stop();
    expect(recording.requests.filter((request) => request.command === "BatchGetItem")).toHaveLength(1);
    // A reader has no follower-count shards: the batch's BatchGetItem is its only read of the account in the step
    // (the mark, the deactivation and its finish carry the state they hold; it was read 5 times: the candidate, the
    // mark's account, the deactivation's start and finish, the purge's check).
    const accountQueries = (userId: string) =>
      recording.requests.filter(
        (request) =>
          request.command === "Query" &&
          JSON.stringify(request.input).includes(`"USER#${userId}"`) &&
          JSON.stringify(request.input).includes("PROFILE"),
      ).length;
    expect(userIds.map(accountQueries)).toEqual([0, 0, 0]);
    // Its totals so far, while it runs: from the accounts' figures, not from a write of the run per account.
    expect(await readRun(run.runId)).toMatchObject({
      status: "running",
      accountsDeactivated: 3,
      followEdgesDeleted: 3,
    });

    // The state machine retries the step (its answer lost), and again after a crash at its batch read.
    expect(await processBatchStep(run, userIds, now, 60_000)).toEqual({ remaining: [] });
    let requests = 0;
    const faults = injectFaults(() => (++requests > 1 ? crash() : undefined)); // after its lease renewal
    await expect(processBatchStep(run, userIds, now, 60_000)).rejects.toMatchObject({ name: "InjectedCrash" });
    faults.stop();
    expect(await processBatchStep(run, userIds, now, 60_000)).toEqual({ remaining: [] });
    while (!(await recountStep(run, now, 60_000)).done);
    await succeedRun(run, now);

    expect(await readRun(run.runId)).toMatchObject({
      status: "succeeded",
      accountsDeactivated: 3,
      accountsDeleted: 3,
      followEdgesDeleted: 3,
      commentsAnonymized: 0,
      accountsPurged: 0,
      countChanges: [{ userId: author.userId, before: 3, after: 0 }],
    });
    await expectCountsEqualRelations([author]);
  });

  it("counts an account whose deactivation a crash cut short once, in the run that finished it", async () => {
    const { author, userIds } = await inactiveFollowersOfAnAuthor(2);
    const now = new Date();
    const run = ticketOf(await beginRun({ dryRun: false, cutoff: "2024-06-01T00:00:00.000Z" }, now));
    // Killed at the first account's finish (after its mark and its relation's move), before the second's mark: the
    // retried step finishes the first from its mark and deactivates the second.
    let transactions = 0;
    const faults = injectFaults((command) =>
      command === "TransactWriteItems" && ++transactions > 2 ? crash() : undefined,
    );
    await expect(processBatchStep(run, userIds, now, 60_000)).rejects.toMatchObject({ name: "InjectedCrash" });
    faults.stop();
    expect(await processBatchStep(run, userIds, now, 60_000)).toEqual({ remaining: [] });
    while (!(await recountStep(run, now, 60_000)).done);
    await succeedRun(run, now);
    expect(await readRun(run.runId)).toMatchObject({
      status: "succeeded",
      accountsDeactivated: 2,
      accountsDeleted: 2,
      followEdgesDeleted: 2,
    });
    await expectCountsEqualRelations([author]);
  });
});
