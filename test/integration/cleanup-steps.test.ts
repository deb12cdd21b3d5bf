import { describe, expect, it } from "vitest";
import { handler as begin } from "../../functions/scheduled/cleanup-begin";
import { handler as findCandidates } from "../../functions/scheduled/cleanup-find-candidates";
import { handler as finish } from "../../functions/scheduled/cleanup-finish";
import { handler as processBatch } from "../../functions/scheduled/cleanup-process-batch";
import { handler as recount } from "../../functions/scheduled/cleanup-recount";
import { exists, expectCountsEqualRelations, lastActiveAt, settledRun } from "../support/cleanup";
import { anOperatorCommand } from "../support/operator-commands";
import { given } from "../support/given";
import { processBatch as processBatchStep } from "../../shared/use-cases/cleanup/batch";
import { beginRun, succeedRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { recountStep } from "../../shared/use-cases/cleanup/recount";
import { readRun } from "../../shared/use-cases/cleanup/reports";
import { recordDynamoDbRequests } from "../support/request-recorder";

// The Lambda step handlers, driven in the order of the state machine's definition (infra/constructs/
// cleanup-workflow.ts), with the state it passes between them; and the operator command.

describe("the state machine's step handlers", () => {
  it("run a scheduled run end to end as the state machine chains them; a second start finds the lease taken", async () => {
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const readers = await Promise.all(Array.from({ length: 3 }, () => given.aReader()));
    for (const reader of readers) await given.aFollow(reader, author);
    for (const reader of readers.slice(0, 2)) await lastActiveAt(reader, "2024-05-01T00:00:00.000Z");

    const { run } = await begin({});
    expect(run).not.toBeNull();
    expect(await begin({})).toEqual({ run: null });
    let cursor = null;
    do {
      const page = await findCandidates({ run: run!, cursor });
      expect(JSON.stringify(page).length).toBeLessThan(256 * 1024);
      for (const userIds of page.batches) {
        let state = { run: run!, userIds };
        while (state.userIds.length > 0) state = await processBatch(state);
      }
      cursor = page.cursor;
    } while (cursor);
    while (!(await recount({ run: run! })).done);
    await finish({ run: run!, status: "succeeded" });

    const report = await settledRun(admin, run!.runId);
    expect(report).toMatchObject({ status: "succeeded", dryRun: false, accountsDeleted: 2, followEdgesDeleted: 2 });
    expect(report.countChanges).toEqual([{ userId: author.userId, before: 3, after: 1 }]);
    expect(await exists(readers[2]!)).toBe(true);
    await expectCountsEqualRelations([author]);
    // An admin-started run is picked up by ID; an ended one is not run again.
    expect(await begin(run!)).toEqual({ run: null });
  });
});

describe("touching a surviving account", () => {
  /** A whole run, each candidate in a batch step of its own; answers the touch records the run tried to write. */
  async function aRunOfOneCandidatePerBatch(
    userIds: string[],
  ): Promise<{ touchPuts: number; countChanges: unknown[] }> {
    const now = new Date();
    const run = ticketOf(await beginRun({ dryRun: false, cutoff: "2024-06-01T00:00:00.000Z" }, now));
    const recording = recordDynamoDbRequests();
    for (const userId of userIds) expect(await processBatchStep(run, [userId], now, 60_000)).toEqual({ remaining: [] });
    recording.stop();
    while (!(await recountStep(run, now, 60_000)).done);
    await succeedRun(run, now);
    const touchPuts = recording.requests.filter(
      (request) => request.command === "PutItem" && JSON.stringify(request.input).includes("CLEANUP#TOUCHED"),
    ).length;
    return { touchPuts, countChanges: (await readRun(run.runId)).countChanges };
  }

  it("records a popular author's touch once per run in a warm process, whatever the batch steps, and again in the next run", async () => {
    const author = await given.anAuthor();
    const readers = await Promise.all(Array.from({ length: 4 }, () => given.aReader()));
    for (const reader of readers) await given.aFollow(reader, author);
    for (const reader of readers.slice(0, 3)) await lastActiveAt(reader, "2024-05-01T00:00:00.000Z");

    const first = await aRunOfOneCandidatePerBatch([readers[0]!.userId, readers[1]!.userId]);
    expect(first).toEqual({ touchPuts: 1, countChanges: [{ userId: author.userId, before: 4, after: 2 }] });
    // The recount ended the first run's touches: the next run records the author's touch again.
    const second = await aRunOfOneCandidatePerBatch([readers[2]!.userId]);
    expect(second).toEqual({ touchPuts: 1, countChanges: [{ userId: author.userId, before: 2, after: 1 }] });
    await expectCountsEqualRelations([author]);
  });
});

describe("npm run cleanup", () => {
  const command = (args: string[]) => anOperatorCommand("infra/local/cleanup.ts", args);

  it("runs a dry run against the configured table and prints the Run; refuses a bad cutoff", async () => {
    const done = await command(["--dry-run", "--cutoff", "2024-01-01T00:00:00Z"]);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.out)).toMatchObject({
      status: "succeeded",
      dryRun: true,
      cutoff: "2024-01-01T00:00:00.000Z",
    });
    expect((await command(["--cutoff", "tomorrow"])).code).toBe(2);
  });
});
