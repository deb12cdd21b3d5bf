import { afterEach, describe, expect, it, vi } from "vitest";

// The ordering harness on a deactivation (docs/data-model.md, "The ordering harness"): a run's batch step takes an
// inactive reader's relations (two followees, a follower) into dormancy, and its finish, in ONE transaction
// (second-chance-store.ts, moveIntoDormancy); against it, an unfollow of one of those relations by the follower, a
// follow of one of its followees by another account (the same count item), and the reader's own sign-in (whose flip
// restores it). A seeded sample of the orderings of their DynamoDB requests on shared partitions, each on a fresh
// world, checked by the audit's checker on that world and by what the API answered.
vi.hoisted(() => {
  process.env.DEACTIVATION_GRACE = "P30D";
});

import type { RunTicket } from "../../shared/domain/cleanup";
import { readRun } from "../../shared/use-cases/cleanup/reports";
import { expectNoDrift } from "../support/audit";
import { lastActiveAt } from "../support/cleanup";
import { explore, expectExplored, exploring, type Plan } from "../support/orderings";
import {
  accounts,
  expectNoErrors,
  expectWorldAudited,
  followed,
  idsOf,
  namesOf,
  shownFollowers,
  shownFollowing,
} from "../support/ordering-worlds";
import { useRequestGate } from "../support/request-gate";
import { aRunFor } from "../support/schedules";
import { profileOf, restoresSettled, stateOf } from "../support/second-chance";
import { when } from "../support/when";

const TIMEOUT = 300_000;
const LONG_AGO = "2025-01-10T08:00:00.000Z";

useRequestGate();
afterEach(() => expectNoDrift("after the orderings"));

/** An inactive reader following two authors, followed by an active reader; and a fan who may follow an author. */
async function aWorld() {
  const users = await accounts({
    reader: "reader",
    author: "author",
    other: "author",
    friend: "reader",
    fan: "reader",
  });
  await followed(users.reader, users.author);
  await followed(users.reader, users.other);
  await followed(users.friend, users.reader);
  await lastActiveAt(users.reader, LONG_AGO);
  return { users };
}

const statusOf = (value: unknown) => (value as { status: number }).status;

describe("a deactivation's one transaction (relations and finish) against writes to its relations", () => {
  const plan: Plan = { full: { sample: 40 }, suite: { sample: 8 } };

  it(
    `the follower unfollows the reader: the relation leaves once, by the unfollow (200) or into dormancy (${exploring(plan)})`,
    async () => {
      const explored = await explore(plan, {
        name: "the follower's unfollow × the reader's deactivation",
        setup: aWorld,
        names: ({ users }) => namesOf(users),
        operations: ({ users }) => ({
          unfollow: () => when.unfollows(users.friend, users.reader),
          run: () => aRunFor(users.reader, new Date()),
        }),
        async check({ users }, outcome) {
          expectNoErrors(outcome);
          expect([200, 404]).toContain(statusOf(outcome.results.unfollow!.value));
          const report = await readRun((outcome.results.run!.value as RunTicket).runId);
          expect(report.accountsDeactivated).toBe(1);
          expect(await stateOf(users.reader)).toBe("dormant");
          expect(await shownFollowers(users.author)).toBe(0);
          expect(await shownFollowers(users.other)).toBe(0);
          expect(await shownFollowing(users.friend)).toBe(0);
          await expectWorldAudited(idsOf(users));
        },
      });
      expectExplored(explored);
    },
    TIMEOUT,
  );

  it(
    `another account follows one of the reader's followees (its count item): both counted exactly (${exploring(plan)})`,
    async () => {
      const explored = await explore(plan, {
        name: "a follow of the reader's followee × the reader's deactivation",
        setup: aWorld,
        names: ({ users }) => namesOf(users),
        operations: ({ users }) => ({
          follow: () => when.follows(users.fan, users.author),
          run: () => aRunFor(users.reader, new Date()),
        }),
        async check({ users }, outcome) {
          expectNoErrors(outcome);
          expect(statusOf(outcome.results.follow!.value)).toBe(200);
          expect(await stateOf(users.reader)).toBe("dormant");
          expect(await shownFollowers(users.author)).toBe(1);
          expect((await profileOf(users.author))!.followerCount).toBe(1);
          expect(await shownFollowing(users.friend)).toBe(0);
          await expectWorldAudited(idsOf(users));
        },
      });
      expectExplored(explored);
    },
    TIMEOUT,
  );

  it(
    `the reader signs in: it stays or comes back whole (200), or, marked under it, is gone whole (404) (${exploring(plan)})`,
    async () => {
      const explored = await explore(plan, {
        name: "the reader's sign-in × its deactivation",
        setup: aWorld,
        names: ({ users }) => namesOf(users),
        operations: ({ users }) => ({
          signedIn: () => when.readsOwnAccount(users.reader),
          run: () => aRunFor(users.reader, new Date()),
        }),
        async check({ users }, outcome) {
          expectNoErrors(outcome);
          const status = statusOf(outcome.results.signedIn!.value);
          await restoresSettled();
          if (status === 200) {
            // Its activity came first (the run leaves it), or it restored what the run had done: live and whole.
            expect(await stateOf(users.reader)).toBe("live");
            expect(await shownFollowers(users.author)).toBe(1);
            expect(await shownFollowers(users.other)).toBe(1);
            expect(await shownFollowing(users.friend)).toBe(1);
            expect(await profileOf(users.reader)).toMatchObject({ followerCount: 1, followingCount: 2 });
          } else {
            // The mark came between the request's read and its activity (refused): gone whole, until its next request.
            expect(status).toBe(404);
            expect(await stateOf(users.reader)).toBe("dormant");
            expect(await shownFollowers(users.author)).toBe(0);
            expect(await shownFollowers(users.other)).toBe(0);
            expect(await shownFollowing(users.friend)).toBe(0);
          }
          await expectWorldAudited(idsOf(users));
        },
      });
      expectExplored(explored);
    },
    TIMEOUT,
  );
});
