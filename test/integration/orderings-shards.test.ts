import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { createFollowerCountShards } from "../../shared/db/follower-count-store";
import { learnFollowerCountTargets } from "../../shared/db/follower-count-targets";
import { collections } from "../../shared/db/keys";
import { expectNoDrift } from "../support/audit";
import { expectNothingLeftOf } from "../support/cleanup";
import { explore, expectExplored, exploring, type OrderingOutcome, type Plan } from "../support/orderings";
import {
  accounts,
  aRunsRecountOf,
  expectNoErrors,
  expectWorldAudited,
  followed,
  idsOf,
  namesOf,
  shownFollowers,
} from "../support/ordering-worlds";
import { useRequestGate } from "../support/request-gate";
import { storedItems } from "../support/storage";
import type { TestUser } from "../support/host";
import { when } from "../support/when";

// The ordering harness on follower-count shards created when an account needs them (docs/data-model.md, "Shards only
// where they serve"): the creation of a reader's shards raced by follows and unfollows of it, by its deletion's mark
// and by a recount, in every ordering of their DynamoDB requests on shared partitions (or a seeded sample), each
// ordering on a fresh world, checked by the audit's checker on that world and by what the API answered.

// Two shards keep the creation's transaction (and the orderings' traces) small; configuration is read once, when
// shared/config.ts loads, so the variable is set before any import.
const previous = vi.hoisted(() => {
  const value = process.env.FOLLOWER_COUNT_SHARDS;
  process.env.FOLLOWER_COUNT_SHARDS = "2";
  return value;
});

const TIMEOUT = 300_000;

useRequestGate();
afterAll(() => {
  if (previous === undefined) delete process.env.FOLLOWER_COUNT_SHARDS;
  else process.env.FOLLOWER_COUNT_SHARDS = previous;
});
afterEach(() => expectNoDrift("after the orderings"));

type Users = { hot: TestUser; y: TestUser; x: TestUser };

/** A reader without shards, followed by Y; X does not follow it yet. */
async function aFollowedReader(): Promise<{ users: Users }> {
  const users = await accounts({ hot: "reader", y: "reader", x: "reader" });
  await followed(users.y, users.hot);
  return { users };
}

/** Every answer the API gave in the ordering was a 200. */
function expectAnswered200(outcome: OrderingOutcome, operations: readonly string[]): void {
  const statuses = operations.flatMap((name) =>
    ([outcome.results[name]!.value].flat() as { status: number }[]).map((answer) => answer.status),
  );
  expect(statuses, "the API's answers").toEqual(statuses.map(() => 200));
}

/** The reader's stored items: its profile and, once created, its two shards. */
async function accountItemsOf(user: TestUser): Promise<string[]> {
  return (await storedItems(collections.accountItems(user.userId))).map((item) => String(item.sk));
}

const races: Record<
  string,
  {
    how: Plan;
    /** Followers after the ordering (1 before it). */
    followers: number;
    operations: (u: Users) => Record<string, () => Promise<unknown>>;
    /** The memo names shards the reader does not have yet: a follow tries one first. */
    memoAhead?: boolean;
  }
> = {
  "a follow": {
    how: { full: "every" },
    followers: 2,
    operations: (u) => ({ follow: () => when.follows(u.x, u.hot) }),
  },
  "an unfollow": {
    how: { full: "every" },
    followers: 0,
    operations: (u) => ({ unfollow: () => when.unfollows(u.y, u.hot) }),
  },
  "a follow then an unfollow by the same account (the unfollow goes to a shard the follow's read-back learnt)": {
    how: { full: "every", suite: { sample: 8 } },
    followers: 1,
    operations: (u) => ({
      churn: async () => [await when.follows(u.x, u.hot), await when.unfollows(u.x, u.hot)],
    }),
  },
  "a follow whose container names the shards before they exist (a wrong memo)": {
    how: { full: "every", suite: { sample: 8 } },
    followers: 2,
    memoAhead: true,
    operations: (u) => ({ follow: () => when.follows(u.x, u.hot) }),
  },
};

describe("a reader's follower-count shards created, raced by follows and unfollows of it", () => {
  for (const [race, { how, followers, operations, memoAhead }] of Object.entries(races)) {
    it(
      `creates them once, and the count stays the relations' count: ${race} (${exploring(how)})`,
      async () => {
        const explored = await explore(how, {
          name: `shards × ${race}`,
          setup: aFollowedReader,
          names: ({ users }) => namesOf(users),
          async before({ users }) {
            if (memoAhead) learnFollowerCountTargets(users.hot.userId, [0, 1]);
          },
          operations: ({ users }) => ({
            shards: () => createFollowerCountShards(users.hot.userId),
            ...operations(users),
          }),
          async check({ users }, outcome) {
            expectNoErrors(outcome);
            expect(outcome.results.shards!.value, "the shards created").toBe(true);
            expectAnswered200(
              outcome,
              Object.keys(outcome.results).filter((name) => name !== "shards"),
            );
            await expectWorldAudited(idsOf(users));
            expect(await shownFollowers(users.hot)).toBe(followers);
            expect(await accountItemsOf(users.hot)).toEqual([
              "PROFILE",
              "PROFILE#FOLLOWER_COUNT#00",
              "PROFILE#FOLLOWER_COUNT#01",
            ]);
          },
        });
        expectExplored(explored);
      },
      TIMEOUT,
    );
  }
});

describe("a reader's follower-count shards created then a follow to one of them, raced by its owner's deletion", () => {
  // Over 400 orderings: sampled.
  const how: Plan = { full: { sample: 60 }, suite: { sample: 12 } };
  it(
    `deletes the account with whatever shards it got, and no follow reaches it once its deletion began (${exploring(how)})`,
    async () => {
      const explored = await explore(how, {
        name: "shards and a follow × DELETE /me",
        setup: aFollowedReader,
        names: ({ users }) => namesOf(users),
        operations: ({ users }) => ({
          // Created before the mark, or refused by it (false); the follow goes to a shard once they exist.
          shards: async () => {
            const created = await createFollowerCountShards(users.hot.userId);
            return { created, follow: await when.follows(users.x, users.hot) };
          },
          deletion: () => when.deletesOwnAccount(users.hot),
        }),
        async check({ users }, outcome) {
          expectNoErrors(outcome);
          expect((outcome.results.deletion!.value as { status: number }).status, "DELETE /me").toBe(204);
          const { created, follow } = outcome.results.shards!.value as { created: boolean; follow: { status: number } };
          expect([200, 404], "the follow's answer").toContain(follow.status);
          // The shards were created only before the deletion's mark, or not at all.
          const firstCommit = (operation: string, partition: string) =>
            outcome.trace.findIndex(
              (entry) =>
                entry.operation === operation &&
                entry.command === "TransactWriteItems" &&
                entry.outcome === "ok" &&
                entry.partitions.includes(partition),
            );
          const creation = firstCommit("shards", "USER#<hot>");
          expect(created, "the shards created").toBe(creation >= 0);
          if (created)
            expect(creation, "the creation's commit, before the mark's").toBeLessThan(
              firstCommit("deletion", "CLEANUP#PENDING"),
            );
          await expectNothingLeftOf(users.hot);
          await expectWorldAudited(idsOf(users));
          expect((await when.readsProfileOf(users.x)).data.followingCount, "X's following count").toBe(0);
        },
      });
      expectExplored(explored);
    },
    TIMEOUT,
  );
});

describe("a reader's follower-count shards created then a follow to one of them, raced by a recount of it", () => {
  const how: Plan = { full: "every" };
  it(
    `stores the relations' count: a recount that read the account without its shards is refused and reads again (${exploring(how)})`,
    async () => {
      const explored = await explore(how, {
        name: "shards and a follow × recount",
        setup: aFollowedReader,
        names: ({ users }) => namesOf(users),
        operations: ({ users }) => ({
          // The creation teaches this container the shards: the follow goes to one of them.
          shards: async () => {
            expect(await createFollowerCountShards(users.hot.userId)).toBe(true);
            return when.follows(users.x, users.hot);
          },
          // A deleted follower was there before: the touch recorded 2 followers.
          recount: () => aRunsRecountOf(users.hot, { followers: 2, following: 0 }),
        }),
        async check({ users }, outcome) {
          expectNoErrors(outcome);
          expectAnswered200(outcome, ["shards"]);
          await expectWorldAudited(idsOf(users));
          expect(await shownFollowers(users.hot)).toBe(2);
        },
      });
      expectExplored(explored);
    },
    TIMEOUT,
  );
});
