import { afterEach, describe, expect, it, vi } from "vitest";
import { replaceEntitlements } from "../../shared/db/account-store";
import { keys } from "../../shared/db/keys";
import { updateItem } from "../../shared/db/requests";
import type { RunTicket } from "../../shared/domain/cleanup";
import type { CountDrift } from "../../shared/domain/audit";
import { decodePostId } from "../../shared/domain/posts";
import { ulid } from "../../shared/ids";
import { fixCountDrifts } from "../../shared/use-cases/audit";
import { expectNoDrift } from "../support/audit";
import { postComment } from "../support/comments";
import { given } from "../support/given";
import type { TestUser } from "../support/host";
import { explore, expectExplored, exploring, type OrderingOutcome, type Plan } from "../support/orderings";
import {
  accounts,
  aRunsRecountOf,
  commitOf,
  commitsBefore,
  countChangeOf,
  expectNoErrors,
  expectWorldAudited,
  followed,
  idsOf,
  listed,
  namesOf,
  shownFollowers,
  shownFollowing,
} from "../support/ordering-worlds";
import { aPostInput } from "../support/posts";
import { useRequestGate } from "../support/request-gate";
import { then } from "../support/then";
import { when } from "../support/when";

// The ordering harness on the counts (docs/data-model.md, "The ordering harness"): each recount (the cleanup's, and
// `npm run audit -- --fix`'s of a drifted count) raced by the writes that move what it counts, in every ordering of
// their DynamoDB requests on shared partitions (or a seeded sample), each ordering on a fresh world and checked by
// the audit's checker on that world and by what the API answered. Each test prints how many orderings it ran
// (`[orderings] ...`); a failing ordering prints its requests and how to replay it.

useRequestGate();
// The whole table, audited after every test: whatever the orderings left behind.
afterEach(() => expectNoDrift("after the orderings"));

/** A test's orderings, each a few dozen requests on DynamoDB Local: minutes on a loaded 2-core machine. */
const TIMEOUT = 300_000;

/** What each racing operation does to a count, in the order of its transactions that touch `partition`. */
type Moves = Record<string, (1 | -1)[]>;

/** A count at position `at` of the trace: `start` plus the moves of every transaction committed before it. */
function countAt(outcome: OrderingOutcome, at: number, start: number, moves: Moves, partition: string): number {
  return Object.entries(moves).reduce(
    (count, [operation, deltas]) =>
      count + deltas.slice(0, commitsBefore(outcome.trace, at, operation, partition)).reduce((a, b) => a + b, 0),
    start,
  );
}

/** The status of every answer the racing operations got (an operation may answer a list of responses). */
function statuses(outcome: OrderingOutcome, except: string): Record<string, number[]> {
  return Object.fromEntries(
    Object.entries(outcome.results)
      .filter(([name]) => name !== except)
      .map(([name, result]) => [name, ([result.value].flat() as { status: number }[]).map((answer) => answer.status)]),
  );
}

type FollowUsers = { author: TestUser; y: TestUser; x: TestUser };

/** The follows and unfollows that race a recount of the author: X (not yet a follower) follows, Y (one) unfollows. */
const followRaces: Record<
  string,
  { moves: Moves; how: Plan; operations: (u: FollowUsers) => Record<string, () => Promise<unknown>> }
> = {
  "a follow": {
    moves: { follow: [1] },
    how: { full: "every", suite: { sample: 4 } },
    operations: (u) => ({ follow: () => when.follows(u.x, u.author) }),
  },
  "an unfollow": {
    moves: { unfollow: [-1] },
    how: { full: "every", suite: { sample: 4 } },
    operations: (u) => ({ unfollow: () => when.unfollows(u.y, u.author) }),
  },
  "a follow then an unfollow by the same account": {
    moves: { churn: [1, -1] },
    how: { full: "every", suite: { sample: 8 } },
    operations: (u) => ({
      churn: async () => [await when.follows(u.x, u.author), await when.unfollows(u.x, u.author)],
    }),
  },
  "a follow and an unfollow by different accounts": {
    moves: { follow: [1], unfollow: [-1] },
    how: { full: { sample: 12 }, suite: { sample: 5 } },
    operations: (u) => ({ follow: () => when.follows(u.x, u.author), unfollow: () => when.unfollows(u.y, u.author) }),
  },
};

async function aFollowedAuthor(): Promise<{ users: FollowUsers }> {
  const users = await accounts({ author: "author", y: "reader", x: "reader" });
  await followed(users.y, users.author);
  return { users };
}

/**
 * Every follow and unfollow of the ordering picks shard 0 (the shard is drawn with Math.random): the worst case for
 * a guard on the counts' values, a +1 and a -1 on the very item the recount read. Undone after the ordering.
 */
async function onOneShard(): Promise<void> {
  vi.spyOn(Math, "random").mockReturnValue(0);
}
afterEach(() => vi.restoreAllMocks());

describe("the cleanup's recount of a touched author, raced by follows and unfollows of it", () => {
  for (const [race, { moves, how, operations }] of Object.entries(followRaces)) {
    it(
      `stores the relations' count and records the figure true when it committed: ${race} (${exploring(how)})`,
      async () => {
        const explored = await explore(how, {
          name: `cleanup recount × ${race}`,
          setup: aFollowedAuthor,
          names: ({ users }) => namesOf(users),
          operations: ({ users }) => ({
            // A deleted follower was there before: the touch recorded 2 followers.
            recount: () => aRunsRecountOf(users.author, { followers: 2, following: 0 }),
            ...operations(users),
          }),
          async check({ users }, outcome) {
            expectNoErrors(outcome);
            expect(
              Object.values(statuses(outcome, "recount"))
                .flat()
                .every((status) => status === 200),
            ).toBe(true);
            await expectWorldAudited(idsOf(users));
            const followers = `FOLLOWERS#<author>`;
            expect(await shownFollowers(users.author)).toBe(
              countAt(outcome, outcome.trace.length, 1, moves, followers),
            );
            const after = countAt(outcome, commitOf(outcome.trace, "recount", "CLEANUP#TOUCHED"), 1, moves, followers);
            const change = await countChangeOf(outcome.results.recount!.value as RunTicket, users.author);
            expect(change).toEqual(after === 2 ? null : { userId: users.author.userId, before: 2, after });
          },
        });
        expectExplored(explored);
      },
      TIMEOUT,
    );
  }
});

describe("npm run audit -- --fix: the recount of a drifted follower count, raced by follows and unfollows", () => {
  /** Damage: three followers too many on one shard of the author's. */
  const planted = (author: TestUser, by: number) =>
    updateItem(keys.followerCountShard(author.userId, 3), {
      UpdateExpression: "ADD #count :by",
      ExpressionAttributeNames: { "#count": "count" },
      ExpressionAttributeValues: { ":by": by },
    });

  for (const [race, { moves, operations }] of Object.entries(followRaces)) {
    const how: Plan = { full: { sample: 12 }, suite: { sample: 4 } };
    it(
      `repairs it, its history point true at one instant: ${race} (${exploring(how)})`,
      async () => {
        const explored = await explore(how, {
          name: `audit --fix × ${race}`,
          async setup() {
            const world = await aFollowedAuthor();
            await planted(world.users.author, 3);
            return { ...world, auditId: ulid() };
          },
          discard: async ({ users }) => void (await planted(users.author, -3)),
          before: onOneShard,
          names: ({ users, auditId }) => namesOf(users, { [auditId]: "audit" }),
          operations: ({ users, auditId }) => ({
            fix: () =>
              fixCountDrifts(
                [{ invariant: "followerCount", userId: users.author.userId, stored: 4, expected: 1 }],
                auditId,
                new Date().toISOString(),
              ),
            ...operations(users),
          }),
          async check({ users, auditId }, outcome) {
            expectNoErrors(outcome);
            expect(
              Object.values(statuses(outcome, "fix"))
                .flat()
                .every((status) => status === 200),
            ).toBe(true);
            // The confirmation read again after the repair finds nothing left, whatever landed around it.
            expect(outcome.results.fix!.value).toMatchObject({ left: [] });
            await expectWorldAudited(idsOf(users));
            const followers = `FOLLOWERS#<author>`;
            expect(await shownFollowers(users.author)).toBe(
              countAt(outcome, outcome.trace.length, 1, moves, followers),
            );
            const after = countAt(outcome, commitOf(outcome.trace, "fix", "HISTORY#<author>"), 1, moves, followers);
            const history = then.itAnswers(await when.readsFollowerHistoryOf(users.author), 200);
            expect(history.items).toEqual([
              expect.objectContaining({ runId: auditId, reason: "recount", before: after + 3, after }),
            ]);
          },
        });
        expectExplored(explored);
      },
      TIMEOUT,
    );
  }
});

type FollowingUsers = { reader: TestUser; kept: TestUser; left: TestUser; joined: TestUser };

/**
 * The reader's own follows and unfollows that race a recount of its following count (the table: it follows
 * B before the COUNT and unfollows C after, or the other way round): it follows `joined` (not yet followed) and
 * unfollows `left` (followed); `kept` stays followed.
 */
const followingRaces: Record<
  string,
  { moves: Moves; how: Plan; operations: (u: FollowingUsers) => Record<string, () => Promise<unknown>> }
> = {
  "a follow": {
    moves: { follow: [1] },
    how: { full: "every" },
    operations: (u) => ({ follow: () => when.follows(u.reader, u.joined) }),
  },
  "an unfollow": {
    moves: { unfollow: [-1] },
    how: { full: "every" },
    operations: (u) => ({ unfollow: () => when.unfollows(u.reader, u.left) }),
  },
  "a follow then an unfollow of the same author": {
    moves: { churn: [1, -1] },
    how: { full: { sample: 32 }, suite: { sample: 5 } },
    operations: (u) => ({
      churn: async () => [await when.follows(u.reader, u.joined), await when.unfollows(u.reader, u.joined)],
    }),
  },
  "a follow of one author and an unfollow of another, at once": {
    moves: { follow: [1], unfollow: [-1] },
    how: { full: { sample: 32 }, suite: { sample: 5 } },
    operations: (u) => ({
      follow: () => when.follows(u.reader, u.joined),
      unfollow: () => when.unfollows(u.reader, u.left),
    }),
  },
};

async function aFollowingReader(): Promise<{ users: FollowingUsers }> {
  const users = await accounts({ reader: "reader", kept: "author", left: "author", joined: "author" });
  await Promise.all([followed(users.reader, users.kept), followed(users.reader, users.left)]);
  return { users };
}

/** The following count the reader's own writes leave at the end of the ordering: 2 before, moved by each commit. */
const followingAt = (outcome: OrderingOutcome, at: number, moves: Moves) =>
  countAt(outcome, at, 2, moves, `FOLLOWING#<reader>`);

describe("the cleanup's recount of a touched reader's following count, raced by the reader's follows and unfollows", () => {
  for (const [race, { moves, how, operations }] of Object.entries(followingRaces)) {
    it(
      `stores the relations' count: ${race} (${exploring(how)})`,
      async () => {
        const explored = await explore(how, {
          name: `cleanup recount of a following count × ${race}`,
          setup: aFollowingReader,
          names: ({ users }) => namesOf(users),
          operations: ({ users }) => ({
            // A deleted author was followed before: the touch recorded 3 accounts followed.
            recount: () => aRunsRecountOf(users.reader, { followers: 0, following: 3 }),
            ...operations(users),
          }),
          async check({ users }, outcome) {
            expectNoErrors(outcome);
            expect(
              Object.values(statuses(outcome, "recount"))
                .flat()
                .every((status) => status === 200),
            ).toBe(true);
            await expectWorldAudited(idsOf(users));
            expect(await shownFollowing(users.reader)).toBe(followingAt(outcome, outcome.trace.length, moves));
            // Its follower count did not change (none before, none after): no count change for it.
            expect(await countChangeOf(outcome.results.recount!.value as RunTicket, users.reader)).toBeNull();
          },
        });
        expectExplored(explored);
      },
      TIMEOUT,
    );
  }
});

describe("npm run audit -- --fix: the recount of a drifted following count, raced by the account's follows and unfollows", () => {
  /** Damage: three accounts too many on the reader's following count. */
  const planted = (reader: TestUser, by: number) =>
    updateItem(keys.account(reader.userId), {
      UpdateExpression: "ADD followingCount :by",
      ExpressionAttributeValues: { ":by": by },
    });

  for (const [race, { moves, operations }] of Object.entries(followingRaces)) {
    const how: Plan = { full: { sample: 24 }, suite: { sample: 3 } };
    it(
      `repairs it to the relations there: ${race} (${exploring(how)})`,
      async () => {
        const explored = await explore(how, {
          name: `audit --fix of a following count × ${race}`,
          async setup() {
            const world = await aFollowingReader();
            await planted(world.users.reader, 3);
            return world;
          },
          discard: async ({ users }) => void (await planted(users.reader, -3)),
          names: ({ users }) => namesOf(users),
          operations: ({ users }) => ({
            fix: () =>
              fixCountDrifts(
                [{ invariant: "followingCount", userId: users.reader.userId, stored: 5, expected: 2 }],
                ulid(),
                new Date().toISOString(),
              ),
            ...operations(users),
          }),
          async check({ users }, outcome) {
            expectNoErrors(outcome);
            expect(
              Object.values(statuses(outcome, "fix"))
                .flat()
                .every((status) => status === 200),
            ).toBe(true);
            expect(outcome.results.fix!.value).toMatchObject({ left: [] });
            await expectWorldAudited(idsOf(users));
            expect(await shownFollowing(users.reader)).toBe(followingAt(outcome, outcome.trace.length, moves));
          },
        });
        expectExplored(explored);
      },
      TIMEOUT,
    );
  }
});

describe("npm run audit -- --fix: a drifted comment count, raced by comments and their deletion", () => {
  const races: Record<string, { moves: Moves; how: Plan }> = {
    "a comment": { moves: { comment: [1] }, how: { full: "every", suite: { sample: 4 } } },
    "a comment's deletion": { moves: { deletion: [-1] }, how: { full: "every", suite: { sample: 4 } } },
    "a comment and another's deletion": {
      moves: { comment: [1], deletion: [-1] },
      how: { full: { sample: 12 }, suite: { sample: 5 } },
    },
  };
  for (const [race, { moves, how }] of Object.entries(races)) {
    it(
      `repairs it to the comments there: ${race} (${exploring(how)})`,
      async () => {
        const explored = await explore(how, {
          name: `comment count's repair × ${race}`,
          async setup() {
            const users = await accounts({ author: "author", writer: "reader" });
            await replaceEntitlements(users.writer.userId, [{ tier: "ultimate" }]);
            const post = await given.aPost(users.author);
            const gone = await given.aComment(users.writer, post.postId);
            const ref = decodePostId(post.postId)!;
            await updateItem(keys.post(ref.authorId, ref.id), {
              UpdateExpression: "ADD commentCount :four",
              ExpressionAttributeValues: { ":four": 4 },
            });
            return { users, post, ref, gone };
          },
          discard: async ({ ref }) =>
            void (await updateItem(keys.post(ref.authorId, ref.id), {
              UpdateExpression: "ADD commentCount :back",
              ExpressionAttributeValues: { ":back": -4 },
            })),
          names: ({ users, ref }) => namesOf(users, { [ref.id]: "post" }),
          operations: ({ users, post, gone }) => {
            const drift: CountDrift = {
              invariant: "commentCount",
              userId: users.author.userId,
              postId: post.postId,
              stored: 5,
              expected: 1,
            };
            return {
              fix: () => fixCountDrifts([drift], ulid(), new Date().toISOString()),
              ...("comment" in moves ? { comment: () => postComment(users.writer, post.postId) } : {}),
              ...("deletion" in moves
                ? { deletion: () => when.deletesComment(users.writer, post.postId, gone.commentId) }
                : {}),
            };
          },
          async check({ users, post, ref }, outcome) {
            expectNoErrors(outcome);
            expect(statuses(outcome, "fix")).toEqual({
              ...("comment" in moves ? { comment: [201] } : {}),
              ...("deletion" in moves ? { deletion: [204] } : {}),
            });
            expect(outcome.results.fix!.value).toMatchObject({ left: [] });
            await expectWorldAudited(idsOf(users, [ref.id]));
            const comments = countAt(outcome, outcome.trace.length, 1, moves, `POST#<post>`);
            const [shown, list] = await Promise.all([
              when.readsPost(post.postId),
              when.listsCommentsOf(post.postId, users.writer, { limit: 100 }),
            ]);
            const { commentCount } = then.itAnswers(shown, 200);
            expect({ shown: commentCount, listed: listed(list) }).toEqual({
              shown: comments,
              listed: comments,
            });
          },
        });
        expectExplored(explored);
      },
      TIMEOUT,
    );
  }
});

describe("npm run audit -- --fix: a drifted post count, raced by a publish and a post's deletion", () => {
  const races: Record<string, { moves: Moves; how: Plan }> = {
    "a publish": { moves: { publish: [1] }, how: { full: "every", suite: { sample: 4 } } },
    // The author's own DELETE reads and writes the author's partition six times: over 400 orderings.
    "a post's deletion": { moves: { deletion: [-1] }, how: { full: { sample: 16 }, suite: { sample: 4 } } },
    "a publish and another post's deletion": {
      moves: { publish: [1], deletion: [-1] },
      how: { full: { sample: 12 }, suite: { sample: 5 } },
    },
  };
  for (const [race, { moves, how }] of Object.entries(races)) {
    it(
      `repairs it to the posts readers see: ${race} (${exploring(how)})`,
      async () => {
        const explored = await explore(how, {
          name: `post count's repair × ${race}`,
          async setup() {
            const users = await accounts({ author: "author" });
            const gone = await given.aPost(users.author);
            await updateItem(keys.account(users.author.userId), {
              UpdateExpression: "ADD postCount :four",
              ExpressionAttributeValues: { ":four": 4 },
            });
            return { users, gone, goneRef: decodePostId(gone.postId)! };
          },
          discard: async ({ users }) =>
            void (await updateItem(keys.account(users.author.userId), {
              UpdateExpression: "ADD postCount :back",
              ExpressionAttributeValues: { ":back": -4 },
            })),
          names: ({ users, goneRef }) => namesOf(users, { [goneRef.id]: "post" }),
          operations: ({ users, gone }) => {
            const drift: CountDrift = { invariant: "postCount", userId: users.author.userId, stored: 5, expected: 1 };
            return {
              fix: () => fixCountDrifts([drift], ulid(), new Date().toISOString()),
              ...("publish" in moves ? { publish: () => when.publishes(users.author, aPostInput()) } : {}),
              ...("deletion" in moves ? { deletion: () => when.deletesPost(users.author, gone.postId) } : {}),
            };
          },
          async check({ users, goneRef }, outcome) {
            expectNoErrors(outcome);
            expect(statuses(outcome, "fix")).toEqual({
              ...("publish" in moves ? { publish: [201] } : {}),
              ...("deletion" in moves ? { deletion: [204] } : {}),
            });
            expect(outcome.results.fix!.value).toMatchObject({ left: [] });
            const published = (outcome.results.publish?.value as { data: { postId: string } } | undefined)?.data.postId;
            const posts = [goneRef.id, ...(published ? [decodePostId(published)!.id] : [])];
            await expectWorldAudited(idsOf(users, posts));
            const count = countAt(outcome, outcome.trace.length, 1, moves, `USER#<author>`);
            const [profile, list] = await Promise.all([
              when.readsProfileOf(users.author),
              when.listsPostsOf(users.author, undefined, { limit: 100 }),
            ]);
            const { postCount } = then.itAnswers(profile, 200);
            expect({ shown: postCount, listed: listed(list) }).toEqual({
              shown: count,
              listed: count,
            });
          },
        });
        expectExplored(explored);
      },
      TIMEOUT,
    );
  }
});
