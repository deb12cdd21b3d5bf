import { describe, expect, it, vi } from "vitest";

// Undo a run (contract 1.2, `POST /admin/cleanup-runs/{runId}/restore`): an operator gives back every account a run
// deactivated, under the runs' lock, `accountsRestored` rising as it goes, one history point per account for the whole
// undo; an undo killed part-way is resumed by asking again.
vi.hoisted(() => {
  process.env.DEACTIVATION_GRACE = "P30D";
});

import { asStepFunction, inProcessRunsSettled } from "../../infra/local/cleanup-runner";
import { getAccount, getStoredAccountState } from "../../shared/db/account-store";
import type { Caller } from "../../shared/domain/account";
import { requestUndo } from "../../shared/use-cases/cleanup/lease";
import { runToCompletion } from "../../shared/use-cases/cleanup/runner";
import { expectNoDrift } from "../support/audit";
import { expectCountsEqualRelations, lastActiveAt } from "../support/cleanup";
import { crash, injectFaults } from "../support/faults";
import { given } from "../support/given";
import { expectStatus, type TestUser } from "../support/host";
import { then } from "../support/then";
import { when } from "../support/when";
import { aCleanupRunAt, historyOf, runOf, stateOf, undoSettled } from "../support/second-chance";

const LONG_AGO = "2024-01-10T08:00:00.000Z";
const LEASE_EXPIRED_MS = 16 * 60 * 1000;

async function callerOf(user: TestUser): Promise<Caller> {
  return { identity: { userId: user.userId, role: "admin" }, account: await getAccount(user.userId) };
}

/** `count` long-inactive readers following an author, a second author (every other one), and each the next. */
async function aRunOfMany(count: number, lastActive = LONG_AGO, cutoff?: string) {
  const admin = await given.anAdmin();
  const author = await given.anAuthor();
  const second = await given.anAuthor();
  const fan = await given.aReader();
  const readers: TestUser[] = [];
  for (let i = 0; i < count; i++) {
    const reader = await given.aReader();
    await given.aFollow(reader, author);
    if (i % 2 === 0) await given.aFollow(reader, second);
    readers.push(reader);
  }
  for (let i = 1; i < count; i++) await given.aFollow(readers[i - 1]!, readers[i]!);
  await given.aFollow(fan, readers[0]!);
  for (const reader of readers) await lastActiveAt(reader, lastActive);
  const before = {
    author: (await getAccount(author.userId))!.followerCount,
    second: (await getAccount(second.userId))!.followerCount,
  };
  const run = await aCleanupRunAt(new Date(), cutoff);
  expect(run.accountsDeactivated).toBe(count);
  return { admin, author, second, fan, readers, before, run };
}

describe("POST /admin/cleanup-runs/{runId}/restore", () => {
  it("gives back every account of a run of many, interrupted and resumed, with one history point each", async () => {
    // given a run that deactivated 24 readers
    const { admin, author, second, fan, readers, before, run } = await aRunOfMany(24);
    expect((await getAccount(author.userId))!.followerCount).toBe(before.author - 24);

    // when an undo is killed part-way (after 40 writes: some accounts back, some not)
    let writes = 0;
    const killed = new Date();
    const faults = injectFaults((command) => {
      if (writes >= 40) return crash();
      if (/^(TransactWriteItems|PutItem|UpdateItem|DeleteItem)$/.test(command)) writes++;
      return undefined;
    });
    await requestUndo(await callerOf(admin), run.runId, (ticket) =>
      runToCompletion(ticket, { now: () => killed, budgetMs: 60_000 }, asStepFunction).catch(() => undefined),
    ).catch(() => undefined);
    faults.stop();
    const partly = await runOf(admin, run.runId);
    expect(partly.undo?.status).toBe("running");
    expect(partly.accountsRestored).toBeLessThan(24);
    // ... while its lock holds, nobody starts another run or undo
    then.itFails(await when.startsCleanup(admin, {}), 409, "cleanup_already_running");
    then.itFails(await when.undoesCleanupRun(admin, run.runId), 409, "cleanup_already_running");

    // and it is resumed once its lock has expired
    const later = new Date(killed.getTime() + LEASE_EXPIRED_MS);
    await requestUndo(
      await callerOf(admin),
      run.runId,
      (ticket) => runToCompletion(ticket, { now: () => later, budgetMs: 60_000 }, asStepFunction),
      later,
    );

    // then every account is back, its activity untouched, its schedule to start over; every count is as before
    const done = await runOf(admin, run.runId);
    expect(done).toMatchObject({ accountsDeactivated: 24, accountsRestored: 24, undo: { status: "succeeded" } });
    for (const reader of readers) {
      expect(await stateOf(reader)).toBe("live");
      const state = (await getStoredAccountState(reader.userId))!;
      expect(state.account.lastActiveAt).toBe(LONG_AGO);
      expect(state.notices).toEqual([]);
    }
    expect((await getAccount(author.userId))!.followerCount).toBe(before.author);
    expect((await getAccount(second.userId))!.followerCount).toBe(before.second);
    expect((await getAccount(fan.userId))!.followingCount).toBe(1);
    // one point for the whole undo, before and after it
    const restored = (await historyOf(author)).filter((point) => point.reason === "accounts_restored");
    expect(restored).toEqual([expect.objectContaining({ before: before.author - 24, after: before.author })]);
    await expectCountsEqualRelations([author, second, fan, ...readers]);
    await expectNoDrift("after the undo");
  });

  it("answers 202 with the run, 404 for an unknown run, and leaves alone an account its owner restored first", async () => {
    // (Older than the other test's readers, whom the undo gave back inactive: this run's cutoff leaves them alone.)
    const { admin, author, readers, before, run } = await aRunOfMany(
      3,
      "2023-01-10T08:00:00.000Z",
      "2023-06-01T00:00:00.000Z",
    );
    expectStatus(await when.readsOwnAccount(readers[0]!), 200);
    await inProcessRunsSettled();

    const started = await when.undoesCleanupRun(admin, run.runId);
    expect(then.itAnswers(started, 202)).toMatchObject({ runId: run.runId, undo: { status: "running" } });
    then.itFails(await when.undoesCleanupRun(admin, "01ARZ3NDEKTSV4RRFFQ69G5FAV"), 404, "not_found");
    const reader = await given.aReader();
    then.itFails(await when.undoesCleanupRun(reader, run.runId), 403, "forbidden");

    const done = await undoSettled(admin, run.runId);
    // the sign-in's restore counts too: 3 accounts of the run came back, 1 by its owner and 2 by the undo
    expect(done).toMatchObject({ accountsRestored: 3, undo: { status: "succeeded" } });
    expect((await getAccount(author.userId))!.followerCount).toBe(before.author);
    await expectNoDrift("after an undo met a sign-in");
  });
});
