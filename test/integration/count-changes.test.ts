import { afterEach, describe, expect, it } from "vitest";
import { batchWrite } from "../../shared/db/batch";
import { toCountChangeItem } from "../../shared/db/entities/cleanup-run";
import { cleanupKeys } from "../../shared/db/keys";
import { updateItem } from "../../shared/db/requests";
import type { CountChange, RunTicket } from "../../shared/domain/cleanup";
import { beginRun, failRun, succeedRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { given } from "../support/given";
import { host, type TestUser } from "../support/host";
import { storedItem } from "../support/storage";
import { expectValidationFailed, then } from "../support/then";
import { when } from "../support/when";

// Contract 1.2: a Run carries its first 100 count changes and `countChangesTotal`; GET
// /admin/cleanup-runs/{runId}/count-changes pages through all of them, by user ID. A run's changes are stored as
// items of their own (docs/data-model.md, K2, K3, K19), so neither the run's record nor any answer grows with them.

const MANY = 250;

const readRun = async (admin: TestUser, runId: string) => then.itAnswers(await when.readsCleanupRun(admin, runId), 200);

/** Runs the tests began: one a failing test leaves under way is ended, so that its lease fails no other test. */
const begun: RunTicket[] = [];
afterEach(async () => {
  // Ending a run that ended already changes nothing.
  await Promise.all(begun.splice(0).map((ticket) => failRun(ticket, new Date())));
});

/** A run under way (it holds the lease) with `count` count changes stored, as its recount would store them. */
async function aRunWithCountChanges(count: number) {
  const run = await beginRun({ dryRun: true, cutoff: "2024-01-01T00:00:00.000Z" }, new Date());
  begun.push(ticketOf(run));
  const changes: CountChange[] = Array.from({ length: count }, (_, i) => ({
    userId: `user-${String(i).padStart(4, "0")}`,
    before: i + 1,
    after: i,
  }));
  // Written in another order than their user IDs': the lists are in user-ID order whatever the writes' order.
  await batchWrite([...changes].reverse().map((change) => ({ put: toCountChangeItem(run.runId, change) })));
  return { run, changes };
}

async function everyPage(admin: TestUser, runId: string, limit: number): Promise<CountChange[][]> {
  const pages: CountChange[][] = [];
  let cursor: string | null = null;
  do {
    const page: { items: CountChange[]; nextCursor: string | null } = then.itAnswers(
      await when.listsCountChangesOf(admin, runId, cursor === null ? { limit } : { limit, cursor }),
      200,
    );
    pages.push(page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return pages;
}

describe("a run's count changes", () => {
  it("a run carries its first 100 by user ID and their total, while it runs and once it ended; the list pages through all", async () => {
    const admin = await given.anAdmin();
    const { run, changes } = await aRunWithCountChanges(MANY);

    // Under way: the total is counted.
    const running = await readRun(admin, run.runId);
    expect(running.status).toBe("running");
    expect(running.countChanges).toEqual(changes.slice(0, 100));
    expect(running.countChangesTotal).toBe(MANY);

    const pages = await everyPage(admin, run.runId, 100);
    expect(pages.map((page) => page.length)).toEqual([100, 100, 50]);
    expect(pages.flat()).toEqual(changes);

    // Ended: the total is stored with the run, and the answers stay the same.
    await succeedRun(ticketOf(run), new Date());
    expect((await storedItem(cleanupKeys.run(run.runId)))?.countChangesTotal).toBe(MANY);
    const ended = await readRun(admin, run.runId);
    expect([ended.status, ended.countChanges, ended.countChangesTotal]).toEqual([
      "succeeded",
      changes.slice(0, 100),
      MANY,
    ]);
    const listed = then.itAnswers(await when.listsCleanupRuns(admin), 200).items;
    const inList = listed.find((candidate) => candidate.runId === run.runId);
    expect([inList?.countChanges.length, inList?.countChangesTotal]).toEqual([100, MANY]);
    expect((await everyPage(admin, run.runId, 7)).flat()).toEqual(changes);
  });

  it("a run stored before 1.2 (no stored total) has its changes counted", async () => {
    const admin = await given.anAdmin();
    const { run } = await aRunWithCountChanges(120);
    await succeedRun(ticketOf(run), new Date());
    await updateItem(cleanupKeys.run(run.runId), { UpdateExpression: "REMOVE countChangesTotal" });
    const read = await readRun(admin, run.runId);
    expect([read.countChanges.length, read.countChangesTotal]).toEqual([100, 120]);
  });

  it("a run without changes lists none; an unknown run answers 404; a bad cursor 400 first", async () => {
    const admin = await given.anAdmin();
    const { run } = await aRunWithCountChanges(0);
    await succeedRun(ticketOf(run), new Date());
    expect(then.itAnswers(await when.listsCountChangesOf(admin, run.runId), 200)).toEqual({
      items: [],
      nextCursor: null,
    });
    const read = await readRun(admin, run.runId);
    expect([read.countChanges, read.countChangesTotal]).toEqual([[], 0]);

    const unknownRun = "01JNOSUCHRUN0000000000000";
    then.itFails(await when.listsCountChangesOf(admin, unknownRun), 404, "not_found");
    then.itFails(await when.listsCountChangesOf(admin, unknownRun, { cursor: "x.y" }), 400, "invalid_cursor");
  });

  it("a cursor belongs to its run; limits are the lists' (1..100); readers are refused", async () => {
    const admin = await given.anAdmin();
    const { run } = await aRunWithCountChanges(3);
    await succeedRun(ticketOf(run), new Date());
    const other = await aRunWithCountChanges(3);
    await succeedRun(ticketOf(other.run), new Date());
    const first = then.itAnswers(await when.listsCountChangesOf(admin, run.runId, { limit: 1 }), 200);
    const foreign = await when.listsCountChangesOf(admin, other.run.runId, { cursor: first.nextCursor! });
    then.itFails(foreign, 400, "invalid_cursor");
    for (const limit of ["0", "101", "x"]) {
      // Limits the document refuses, sent as they are.
      const response = await host().api.unchecked(
        "GET",
        `/admin/cleanup-runs/${run.runId}/count-changes?limit=${limit}`,
        {
          token: admin.token,
        },
      );
      expect(expectValidationFailed(response).details[0]?.field).toBe("limit");
    }
    const reader = await given.aReader();
    then.itFails(await when.listsCountChangesOf(reader, run.runId), 403, "forbidden");
  });
});
