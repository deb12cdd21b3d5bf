// Worlds and oracles for the ordering harness (./orderings.ts): small sets of accounts, relations and posts made
// fresh for every ordering, the races' operations in the domain's words, and what each ordering must leave behind.
import { expect } from "vitest";
import { createAccount } from "../../shared/db/account-store";
import { createFollow } from "../../shared/db/follow-store";
import { recordTouched } from "../../shared/db/touched-account-store";
import type { RunTicket } from "../../shared/domain/cleanup";
import { ulid } from "../../shared/ids";
import { beginRun, failRun, succeedRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { recountStep } from "../../shared/use-cases/cleanup/recount";
import { readRun } from "../../shared/use-cases/cleanup/reports";
import { tokenFor } from "./api/in-process";
import { expectStatus, uniqueHandle, uniqueUserId, type TestUser } from "./host";
import type { TraceEntry } from "./request-gate";
import { describeError, type OrderingOutcome } from "./orderings";
import { when } from "./when";
import { worldFindings, type WorldIds } from "./world-audit";

/** The accounts of a world, by name. */
export type Accounts<N extends string> = Record<N, TestUser>;

/**
 * Readers and authors made at once, each as `PUT /me` makes it (one transaction of the account store; a world is
 * made for every ordering, so without the API's own read first).
 */
export async function accounts<N extends string>(roles: Record<N, "reader" | "author">): Promise<Accounts<N>> {
  const now = new Date().toISOString();
  const entries = await Promise.all(
    Object.entries<"reader" | "author">(roles).map(async ([name, role]) => {
      const userId = uniqueUserId(role);
      const handle = uniqueHandle();
      await createAccount({ userId, handle, displayName: name, role, now });
      return [name, { userId, handle, token: tokenFor(userId, role === "author" ? ["authors"] : []) }] as const;
    }),
  );
  return Object.fromEntries(entries) as Accounts<N>;
}

/** `follower` follows `followee`, as PUT /users/{userId}/follow does it (its transaction alone). */
export async function followed(follower: TestUser, followee: TestUser): Promise<void> {
  expect(
    await createFollow({
      followerId: follower.userId,
      followeeId: followee.userId,
      followId: ulid(),
      followedAt: new Date().toISOString(),
    }),
  ).toBe("done");
}

/** The names a world gives its accounts' IDs and handles (what orderings print, and compare across worlds). */
export function namesOf(users: Record<string, TestUser>, more: Record<string, string> = {}): Record<string, string> {
  return {
    ...Object.fromEntries(
      Object.entries(users).flatMap(([name, user]) => [
        [user.userId, name],
        [user.handle.toLowerCase(), `${name}'s handle`],
      ]),
    ),
    ...more,
  };
}

/** The world's IDs for its audit. */
export function idsOf(users: Record<string, TestUser>, posts: readonly string[] = []): WorldIds {
  const all = Object.values(users);
  return { users: all.map((user) => user.userId), handles: all.map((user) => user.handle), posts };
}

/** Every invariant of the data model holds on the world. */
export async function expectWorldAudited(ids: WorldIds): Promise<void> {
  expect(await worldFindings(ids), "the audit's findings on the world").toEqual([]);
}

/** How many items a list's page holds. */
export const listed = (page: { data: { items: readonly unknown[] } }): number => page.data.items.length;

/** The follower count the API shows equals the followers it lists; answers it. */
export async function shownFollowers(user: TestUser): Promise<number> {
  const [profile, list] = await Promise.all([
    when.readsProfileOf(user),
    when.listsFollowersOf(user, undefined, { limit: 100 }),
  ]);
  expectStatus(profile, 200);
  expectStatus(list, 200);
  const { followerCount } = profile.data;
  expect(followerCount, "the follower count shown, against the followers listed").toBe(listed(list));
  return followerCount;
}

/** The following count the API shows equals the accounts it lists; answers it. */
export async function shownFollowing(user: TestUser): Promise<number> {
  const [profile, list] = await Promise.all([
    when.readsProfileOf(user),
    when.listsFollowingOf(user, undefined, { limit: 100 }),
  ]);
  expectStatus(profile, 200);
  expectStatus(list, 200);
  const { followingCount } = profile.data;
  expect(followingCount, "the following count shown, against the accounts listed").toBe(listed(list));
  return followingCount;
}

/** The position in the trace of the last transaction of `operation` that committed and touched `partition`. */
export function commitOf(trace: readonly TraceEntry[], operation: string, partition: string): number {
  for (let i = trace.length - 1; i >= 0; i--) {
    const entry = trace[i]!;
    if (
      entry.operation === operation &&
      entry.command === "TransactWriteItems" &&
      entry.outcome === "ok" &&
      entry.partitions.includes(partition)
    )
      return i;
  }
  return -1;
}

/** How many transactions of `operation` that touched `partition` committed before position `at` of the trace. */
export function commitsBefore(trace: readonly TraceEntry[], at: number, operation: string, partition: string): number {
  return trace
    .slice(0, at)
    .filter(
      (entry) =>
        entry.operation === operation &&
        entry.command === "TransactWriteItems" &&
        entry.outcome === "ok" &&
        entry.partitions.includes(partition),
    ).length;
}

/** Every operation ended without an error. */
export function expectNoErrors(outcome: OrderingOutcome): void {
  const errors = Object.entries(outcome.results).flatMap(([name, result]) =>
    result.error === undefined ? [] : [`${name}: ${describeError(result.error)}`],
  );
  expect(errors, "operations that threw").toEqual([]);
}

/**
 * A cleanup run whose deletions touched `user` with the counts `before` (a touch, as its batch steps record it), then
 * its recount step until done, then its end: the recount as a run makes it. Answers the run.
 */
export async function aRunsRecountOf(
  user: TestUser,
  before: { followers: number; following: number },
): Promise<RunTicket> {
  const now = new Date();
  const run = ticketOf(await beginRun({ dryRun: false, cutoff: "2025-06-01T00:00:00.000Z" }, now));
  try {
    await recordTouched(
      { userId: user.userId, followerBefore: before.followers, followingBefore: before.following },
      "run",
      now,
    );
    while (!(await recountStep(run, new Date(), 60_000)).done);
    await succeedRun(run, new Date());
    return run;
  } catch (error) {
    await failRun(run, new Date());
    throw error;
  }
}

/** A run's count change for an account (null: none recorded). */
export async function countChangeOf(run: RunTicket, user: TestUser) {
  const report = await readRun(run.runId);
  return report.countChanges.find((change) => change.userId === user.userId) ?? null;
}
