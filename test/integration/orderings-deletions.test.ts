import { afterEach, describe, expect, it } from "vitest";
import type { RunTicket } from "../../shared/domain/cleanup";
import { processBatch } from "../../shared/use-cases/cleanup/batch";
import { beginRun, failRun, succeedRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { recountStep } from "../../shared/use-cases/cleanup/recount";
import { readRun } from "../../shared/use-cases/cleanup/reports";
import { expectNoDrift } from "../support/audit";
import { exists, expectNothingLeftOf, lastActiveAt } from "../support/cleanup";
import { explore, expectExplored, exploring, type OrderingOutcome, type Plan } from "../support/orderings";
import {
  accounts,
  commitOf,
  expectNoErrors,
  expectWorldAudited,
  followed,
  idsOf,
  namesOf,
  shownFollowers,
  shownFollowing,
} from "../support/ordering-worlds";
import { useRequestGate } from "../support/request-gate";
import { when } from "../support/when";

// The ordering harness on deletions (docs/data-model.md, "The ordering harness"): a follow against the mark of either
// side's deletion, DELETE /me against a run deleting the same account, two batch steps of one run touching the same
// author; each every ordering of their DynamoDB requests on shared partitions or a seeded sample, each ordering on a
// fresh world, checked by the audit's checker on that world and by what the API answered.

const TIMEOUT = 300_000;
const LONG_AGO = "2025-01-10T08:00:00.000Z";
const CUTOFF = "2025-06-01T00:00:00.000Z";

useRequestGate();
afterEach(() => expectNoDrift("after the orderings"));

/** A run of the cleanup (its lease, its record) that a test's operations work in. */
const aRun = async (): Promise<RunTicket> => ticketOf(await beginRun({ dryRun: false, cutoff: CUTOFF }, new Date()));

/** What the state machine runs after the batch steps: the recount until done, then the run's end. */
async function recountAndEnd(run: RunTicket): Promise<void> {
  while (!(await recountStep(run, new Date(), 60_000)).done);
  await succeedRun(run, new Date());
}

/** One candidate's batch step in a run, then the run's recount and end: the whole run, for that one account. */
async function aRunDeleting(userId: string): Promise<RunTicket> {
  const run = await aRun();
  try {
    expect(await processBatch(run, [userId], new Date(), 60_000)).toEqual({ remaining: [] });
    await recountAndEnd(run);
    return run;
  } catch (error) {
    await failRun(run, new Date());
    throw error;
  }
}

describe("a follow against the mark of either side's deletion", () => {
  const followeeLeaves: Plan = { full: { sample: 16 }, suite: { sample: 5 } };
  const followerByRun: Plan = { full: "every", suite: { sample: 5 } };
  const followerLeaves: Plan = { full: { sample: 32 }, suite: { sample: 5 } };
  const followeeByRun: Plan = { full: { sample: 32 }, suite: { sample: 5 } };

  it(
    `the followee deletes itself (DELETE /me): the follow answers 200 and is deleted with it, or 404 (${exploring(followeeLeaves)})`,
    async () => {
      const explored = await explore(followeeLeaves, {
        name: "follow × the followee's DELETE /me",
        async setup() {
          const users = await accounts({ followee: "author", follower: "reader", fan: "reader" });
          await followed(users.fan, users.followee);
          return { users };
        },
        names: ({ users }) => namesOf(users),
        operations: ({ users }) => ({
          follow: () => when.follows(users.follower, users.followee),
          deleteMe: () => when.deletesOwnAccount(users.followee),
        }),
        async check({ users }, outcome) {
          expectNoErrors(outcome);
          const answers = outcome.results as Record<string, { value: { status: number } }>;
          expect(answers.deleteMe!.value.status).toBe(204);
          expect([200, 404]).toContain(answers.follow!.value.status);
          expect(await exists(users.followee)).toBe(false);
          await expectNothingLeftOf(users.followee);
          expect(await shownFollowing(users.follower)).toBe(0);
          expect(await shownFollowing(users.fan)).toBe(0);
          await expectWorldAudited(idsOf(users));
        },
      });
      expectExplored(explored);
    },
    TIMEOUT,
  );

  it(
    `the follower is deleted by a run: the follow's activity keeps it (200), or the mark wins and the follow is refused (403) (${exploring(followerByRun)})`,
    async () => {
      const explored = await explore(followerByRun, {
        name: "follow × the follower's deletion by a run",
        async setup() {
          const users = await accounts({ followee: "author", follower: "reader" });
          await lastActiveAt(users.follower, LONG_AGO);
          return { users };
        },
        names: ({ users }) => namesOf(users),
        operations: ({ users }) => ({
          follow: () => when.follows(users.follower, users.followee),
          run: () => aRunDeleting(users.follower.userId),
        }),
        async check({ users }, outcome) {
          expectNoErrors(outcome);
          const status = (outcome.results.follow!.value as { status: number }).status;
          const report = await readRun((outcome.results.run!.value as RunTicket).runId);
          if (await exists(users.follower)) {
            // The follow's activity came first: the run's mark found it active.
            expect({ status, deleted: report.accountsDeleted }).toEqual({ status: 200, deleted: 0 });
            expect(await shownFollowers(users.followee)).toBe(1);
          } else {
            expect({ status, deleted: report.accountsDeleted }).toEqual({ status: 403, deleted: 1 });
            await expectNothingLeftOf(users.follower);
            expect(await shownFollowers(users.followee)).toBe(0);
          }
          await expectWorldAudited(idsOf(users));
        },
      });
      expectExplored(explored);
    },
    TIMEOUT,
  );

  it(
    `the follower deletes itself (DELETE /me): the follow answers 200 and is deleted with it, or the mark wins (403) (${exploring(followerLeaves)})`,
    async () => {
      const explored = await explore(followerLeaves, {
        name: "follow × the follower's DELETE /me",
        async setup() {
          const users = await accounts({ followee: "author", follower: "reader", idol: "author" });
          await followed(users.follower, users.idol);
          return { users };
        },
        names: ({ users }) => namesOf(users),
        operations: ({ users }) => ({
          follow: () => when.follows(users.follower, users.followee),
          deleteMe: () => when.deletesOwnAccount(users.follower),
        }),
        async check({ users }, outcome) {
          expectNoErrors(outcome);
          const answers = outcome.results as Record<string, { value: { status: number } }>;
          expect(answers.deleteMe!.value.status).toBe(204);
          expect([200, 403]).toContain(answers.follow!.value.status);
          expect(await exists(users.follower)).toBe(false);
          await expectNothingLeftOf(users.follower);
          expect(await shownFollowers(users.followee)).toBe(0);
          expect(await shownFollowers(users.idol)).toBe(0);
          await expectWorldAudited(idsOf(users));
        },
      });
      expectExplored(explored);
    },
    TIMEOUT,
  );

  it(
    `the followee is deleted by a run: the follow is deleted with it (200, or 404 when it read the mark after its write), or refused (404) (${exploring(followeeByRun)})`,
    async () => {
      const explored = await explore(followeeByRun, {
        name: "follow × the followee's deletion by a run",
        async setup() {
          const users = await accounts({ followee: "reader", follower: "reader", fan: "reader" });
          await followed(users.fan, users.followee);
          await lastActiveAt(users.followee, LONG_AGO);
          return { users };
        },
        names: ({ users }) => namesOf(users),
        operations: ({ users }) => ({
          follow: () => when.follows(users.follower, users.followee),
          run: () => aRunDeleting(users.followee.userId),
        }),
        async check({ users }, outcome) {
          expectNoErrors(outcome);
          const status = (outcome.results.follow!.value as { status: number }).status;
          const report = await readRun((outcome.results.run!.value as RunTicket).runId);
          // Following an account does not make it active: the run deletes it whatever the order.
          expect(report.accountsDeleted).toBe(1);
          expect(await exists(users.followee)).toBe(false);
          await expectNothingLeftOf(users.followee);
          // The run deletes the follow too when it committed first; the follow answers 200, or 404 when its read of
          // the followee after its write found the mark (the answer says what is left: no such account).
          const committed = commitOf(outcome.trace, "follow", "FOLLOWERS#<followee>") >= 0;
          expect(report.followEdgesDeleted).toBe(committed ? 2 : 1);
          expect(status === 404 || (status === 200 && committed)).toBe(true);
          expect(await shownFollowing(users.follower)).toBe(0);
          expect(await shownFollowing(users.fan)).toBe(0);
          await expectWorldAudited(idsOf(users));
        },
      });
      expectExplored(explored);
    },
    TIMEOUT,
  );
});

describe("DELETE /me against a run deleting the same account", () => {
  const deleteMeByRun: Plan = { full: { sample: 16 }, suite: { sample: 6 } };
  it(
    `deletes it once, nothing left: 204 (or 404 when the run had finished it), the run counting it only if its own transaction finished it (${exploring(deleteMeByRun)})`,
    async () => {
      const explored = await explore(deleteMeByRun, {
        name: "DELETE /me × a run deleting the same account",
        async setup() {
          const users = await accounts({ leaving: "reader", author: "author", fan: "reader" });
          await followed(users.leaving, users.author);
          await followed(users.fan, users.leaving);
          await lastActiveAt(users.leaving, LONG_AGO);
          return { users };
        },
        names: ({ users }) => namesOf(users),
        operations: ({ users }) => ({
          deleteMe: () => when.deletesOwnAccount(users.leaving),
          run: () => aRunDeleting(users.leaving.userId),
        }),
        async check({ users }, outcome) {
          expectNoErrors(outcome);
          const finishedByRun = ranFinish(outcome, "run");
          const status = (outcome.results.deleteMe!.value as { status: number }).status;
          // 404: the run had deleted the account before DELETE /me read its caller (no profile: as the contract says).
          expect(status === 204 || (status === 404 && finishedByRun)).toBe(true);
          expect(await exists(users.leaving)).toBe(false);
          await expectNothingLeftOf(users.leaving);
          // The run counts the account when the transaction that finished it was the run's.
          const report = await readRun((outcome.results.run!.value as RunTicket).runId);
          expect(report.accountsDeleted).toBe(finishedByRun ? 1 : 0);
          expect(await shownFollowers(users.author)).toBe(0);
          expect(await shownFollowing(users.fan)).toBe(0);
          await expectWorldAudited(idsOf(users));
        },
      });
      expectExplored(explored);
    },
    TIMEOUT,
  );
});

/** Whether `operation` committed the transaction that finishes a deletion (it deletes the handle claim with the profile). */
function ranFinish(outcome: OrderingOutcome, operation: string): boolean {
  return outcome.trace.some(
    (entry) =>
      entry.operation === operation &&
      entry.command === "TransactWriteItems" &&
      entry.outcome === "ok" &&
      entry.partitions.some((pk) => pk.startsWith("HANDLE#")),
  );
}

describe("two cleanup batch steps touching the same author", () => {
  const twoSteps: Plan = { full: { sample: 16 }, suite: { sample: 6 } };
  it(
    `record the author's count once, before either deletion, and the recount reports the change (${exploring(twoSteps)})`,
    async () => {
      const explored = await explore(twoSteps, {
        name: "two batch steps × the same author",
        async setup() {
          const users = await accounts({ author: "author", one: "reader", two: "reader", fan: "reader" });
          await Promise.all([users.one, users.two, users.fan].map((reader) => followed(reader, users.author)));
          await Promise.all([users.one, users.two].map((reader) => lastActiveAt(reader, LONG_AGO)));
          const run: { begun?: RunTicket } = {};
          return { users, run };
        },
        // The run both steps work in, begun before them as the state machine begins it.
        async before({ run }) {
          run.begun = await aRun();
        },
        names: ({ users }) => namesOf(users),
        operations: ({ users, run }) => ({
          stepOne: () => processBatch(run.begun!, [users.one.userId], new Date(), 60_000),
          stepTwo: () => processBatch(run.begun!, [users.two.userId], new Date(), 60_000),
        }),
        async check({ users, run: { begun } }, outcome) {
          // Its recount and its end come after both steps, as in the state machine.
          const run = begun!;
          try {
            await recountAndEnd(run);
          } finally {
            if ((await readRun(run.runId)).status === "running") await failRun(run, new Date());
          }
          expectNoErrors(outcome);
          for (const name of ["stepOne", "stepTwo"]) expect(outcome.results[name]!.value).toEqual({ remaining: [] });
          const report = await readRun(run.runId);
          expect(report).toMatchObject({ status: "succeeded", accountsDeleted: 2, followEdgesDeleted: 2 });
          expect(report.countChanges).toEqual([{ userId: users.author.userId, before: 3, after: 1 }]);
          expect(await shownFollowers(users.author)).toBe(1);
          await expectWorldAudited(idsOf(users));
        },
      });
      expectExplored(explored);
    },
    TIMEOUT,
  );
});
