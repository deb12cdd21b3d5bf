import { afterEach, describe, expect, it } from "vitest";
import { batchWrite } from "../../shared/db/batch";
import { toCountChangeItem } from "../../shared/db/entities/cleanup-run";
import { cleanupKeys } from "../../shared/db/keys";
import { updateItem } from "../../shared/db/requests";
import type { CountChange, Run, RunTicket } from "../../shared/domain/cleanup";
import { beginRun, failRun, succeedRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { api, type ApiResponse } from "../support/api";
import { given, type TestUser } from "../support/given";
import { storedItem } from "../support/storage";

// Contract 1.2: a Run carries its first 100 count changes and `countChangesTotal`; GET
// /admin/cleanup-runs/{runId}/count-changes pages through all of them, by user ID. A run's changes are stored as
// items of their own (docs/data-model.md, K2, K3, K19), so neither the run's record nor any answer grows with them.

const MANY = 250;

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface ErrorAnswer {
  error: { code: string };
}
/** An answer's body, as the document describes it (test/support/api.ts checks every answer against it). */
const bodyOf = <T>(response: ApiResponse): T => response.body as T;
const codeOf = (response: ApiResponse) => bodyOf<ErrorAnswer>(response).error.code;
const readRun = async (admin: TestUser, runId: string) =>
  bodyOf<Run>(await api.get(`/admin/cleanup-runs/${runId}`, { token: admin.token }));

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
    const query: string = cursor === null ? `?limit=${limit}` : `?limit=${limit}&cursor=${cursor}`;
    const response = await api.get(`/admin/cleanup-runs/${runId}/count-changes${query}`, { token: admin.token });
    expect(response.status, response.text).toBe(200);
    const page = bodyOf<Page<CountChange>>(response);
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
    const listed = bodyOf<Page<Run>>(await api.get("/admin/cleanup-runs", { token: admin.token })).items;
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
    const empty = await api.get(`/admin/cleanup-runs/${run.runId}/count-changes`, { token: admin.token });
    expect([empty.status, bodyOf<Page<CountChange>>(empty)]).toEqual([200, { items: [], nextCursor: null }]);
    const read = await readRun(admin, run.runId);
    expect([read.countChanges, read.countChangesTotal]).toEqual([[], 0]);

    const unknown = await api.get("/admin/cleanup-runs/01JNOSUCHRUN0000000000000/count-changes", {
      token: admin.token,
    });
    expect([unknown.status, codeOf(unknown)]).toEqual([404, "not_found"]);
    const badCursor = await api.get("/admin/cleanup-runs/01JNOSUCHRUN0000000000000/count-changes?cursor=x.y", {
      token: admin.token,
    });
    expect([badCursor.status, codeOf(badCursor)]).toEqual([400, "invalid_cursor"]);
  });

  it("a cursor belongs to its run; limits are the lists' (1..100); readers are refused", async () => {
    const admin = await given.anAdmin();
    const { run } = await aRunWithCountChanges(3);
    await succeedRun(ticketOf(run), new Date());
    const other = await aRunWithCountChanges(3);
    await succeedRun(ticketOf(other.run), new Date());
    const first = await api.get(`/admin/cleanup-runs/${run.runId}/count-changes?limit=1`, { token: admin.token });
    const foreign = await api.get(
      `/admin/cleanup-runs/${other.run.runId}/count-changes?cursor=${bodyOf<Page<CountChange>>(first).nextCursor}`,
      { token: admin.token },
    );
    expect([foreign.status, codeOf(foreign)]).toEqual([400, "invalid_cursor"]);
    for (const limit of ["0", "101", "x"]) {
      const response = await api.get(`/admin/cleanup-runs/${run.runId}/count-changes?limit=${limit}`, {
        token: admin.token,
      });
      expect([response.status, codeOf(response)]).toEqual([400, "validation_failed"]);
    }
    const reader = await given.aReader();
    const refused = await api.get(`/admin/cleanup-runs/${run.runId}/count-changes`, { token: reader.token });
    expect([refused.status, codeOf(refused)]).toEqual([403, "forbidden"]);
  });
});
