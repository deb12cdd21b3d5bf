// Part 2c: a run with many count changes (contract 1.2). A finished run with COUNT_CHANGES count changes, stored as
// its recount stores them (one item each), is read through the local server's dispatch with the capacity meter on:
// the run, a page of runs, and pages of its count changes. Imported only after the benchmark environment is set.
import { randomUUID } from "node:crypto";
import { dispatch } from "../../infra/local/server";
import { batchWrite } from "../../shared/db/batch";
import { toCountChangeItem } from "../../shared/db/entities/cleanup-run";
import type { CountChange } from "../../shared/domain/cleanup";
import { beginRun, succeedRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { meterCapacity } from "../../test/support/capacity-meter";
import { toIncomingRequest, type SampleRequest } from "../../test/support/route-samples";
import type { TestUser } from "../../test/support/host";

/** What a platform of many authors reaches in one cleanup (issue 23's projection: a few thousand). */
export const COUNT_CHANGES = 5_000;

export interface MeasuredRead {
  what: string;
  status: number;
  bytes: number;
  items: number;
  commands: string[];
  readUnits: number;
  localUnits: number;
}

/** What the measured answers hold: a Run, or a page (of runs or count changes). */
interface Answer {
  items?: unknown[];
  nextCursor?: string | null;
  countChanges?: CountChange[];
  countChangesTotal?: number;
}

export async function countChangeScenarios(admin: TestUser, jwtSecret: string): Promise<MeasuredRead[]> {
  const run = await beginRun({ dryRun: true, cutoff: "2024-01-01T00:00:00.000Z" }, new Date());
  // User IDs as Cognito's subjects are: 36-character UUIDs.
  const changes: CountChange[] = Array.from({ length: COUNT_CHANGES }, (_, i) => ({
    userId: randomUUID(),
    before: 1000 + i,
    after: 999 + i,
  }));
  await batchWrite(changes.map((change) => ({ put: toCountChangeItem(run.runId, change) })));
  await succeedRun(ticketOf(run), new Date());

  const meter = meterCapacity();
  const measure = async (what: string, request: SampleRequest): Promise<MeasuredRead & { body: Answer }> => {
    meter.reset();
    const result = await dispatch(toIncomingRequest(request), { jwtSecret });
    const body = JSON.parse(result.body ?? "{}") as Answer;
    return {
      what,
      status: result.statusCode ?? 0,
      bytes: Buffer.byteLength(result.body ?? "", "utf8"),
      items: body.items?.length ?? body.countChanges?.length ?? 0,
      commands: meter.commands(),
      readUnits: meter.readUnits(),
      localUnits: meter.localUnits(),
      body,
    };
  };
  const get = (path: string): SampleRequest => ({ method: "GET", path, token: admin.token });
  try {
    const reads: (MeasuredRead & { body?: Answer })[] = [];
    const runRead = await measure("`GET /admin/cleanup-runs/{runId}` (K2)", get(`/admin/cleanup-runs/${run.runId}`));
    reads.push(runRead);
    reads.push(await measure("`GET /admin/cleanup-runs?limit=100` (K3)", get("/admin/cleanup-runs?limit=100")));
    const changesPath = `/admin/cleanup-runs/${run.runId}/count-changes?limit=100`;
    const first = await measure("`GET …/count-changes?limit=100`, first page (K19)", get(changesPath));
    reads.push(first);
    let cursor = first.body.nextCursor ?? null;
    let pages = 1;
    let listed = first.items;
    let last = first;
    while (cursor !== null) {
      last = await measure(
        "`GET …/count-changes?limit=100`, a later page (K19)",
        get(`${changesPath}&cursor=${cursor}`),
      );
      if (pages === 1) reads.push(last);
      listed += last.items;
      pages++;
      cursor = last.body.nextCursor ?? null;
    }
    if (listed !== COUNT_CHANGES) throw new Error(`the pages listed ${listed} of ${COUNT_CHANGES} count changes`);
    reads.push({ ...last, what: `\`GET …/count-changes?limit=100\`, the last of ${pages} pages (K19)` });
    // What the run's answer held before 1.2, when a Run carried every count change: computed, not measured.
    const { countChangesTotal: _total, ...before12 } = runRead.body;
    reads.push({
      what: `(before 1.2: the same run with all ${COUNT_CHANGES.toLocaleString("en")} changes, computed)`,
      status: 200,
      bytes: Buffer.byteLength(JSON.stringify({ ...before12, countChanges: changes })),
      items: COUNT_CHANGES,
      commands: [],
      readUnits: Number.NaN,
      localUnits: Number.NaN,
    });
    return reads.map(({ body: _body, ...read }) => read);
  } finally {
    meter.stop();
  }
}
