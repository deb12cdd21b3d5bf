// Cleanup steps for tests: making accounts inactive (storage: no API call can set an old activity time), running
// and awaiting runs, and the invariants every run must leave behind.
import { expect } from "vitest";
import { getStoredAccountState } from "../../shared/db/account-store";
import { countFollowers, countFollowing } from "../../shared/db/follow-store";
import { cleanupKeys, collections, inactivityPartition, keys } from "../../shared/db/keys";
import { updateItem } from "../../shared/db/requests";
import { api } from "./api";
import { expectStatus, type TestUser } from "./given";
import { storedItem, storedItems } from "./storage";

/** Sets an account's last activity to `at` (and its place in the inactivity index, as activity writes do). */
export async function lastActiveAt(user: { userId: string }, at: string): Promise<void> {
  const state = await getStoredAccountState(user.userId);
  if (!state) throw new Error(`no account ${user.userId}`);
  const reader = state.account.role === "reader";
  await updateItem(keys.account(user.userId), {
    UpdateExpression: reader
      ? "SET lastActiveAt = :at, inactivityPk = :pk, inactivitySk = :at"
      : "SET lastActiveAt = :at REMOVE inactivityPk, inactivitySk",
    ExpressionAttributeValues: reader ? { ":at": at, ":pk": inactivityPartition(at) } : { ":at": at },
  });
}

/** Polls a run until it has left `running` (the local runner works in the background) and answers it. */
export async function settledRun(admin: TestUser, runId: string): Promise<Record<string, any>> {
  const deadline = Date.now() + 25_000;
  for (;;) {
    const response = await api.get(`/admin/cleanup-runs/${runId}`, { token: admin.token });
    expectStatus(response, 200);
    if (response.body.status !== "running") return response.body;
    if (Date.now() > deadline) throw new Error(`run ${runId} still running`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Starts a run through the API and waits for it to end. */
export async function aCompletedRun(admin: TestUser, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const started = await api.post("/admin/cleanup-runs", { token: admin.token, body });
  expectStatus(started, 202);
  return settledRun(admin, started.body.runId);
}

/** Every stored follower and following count of the accounts equals the number of their relations. */
export async function expectCountsEqualRelations(users: readonly { userId: string }[]): Promise<void> {
  for (const user of users) {
    const state = await getStoredAccountState(user.userId);
    if (!state) continue;
    expect(state.account.followerCount, `followers of ${user.userId}`).toBe(await countFollowers(user.userId));
    expect(state.account.followingCount, `following of ${user.userId}`).toBe(await countFollowing(user.userId));
  }
}

/** Nothing of a deleted account is left: no profile or shard, no relation either way, no index entry, no record. */
export async function expectNothingLeftOf(user: TestUser): Promise<void> {
  expect(await storedItems(collections.wholePartition(keys.account(user.userId).pk)), `items of ${user.userId}`).toEqual([]);
  expect(await storedItems(collections.followerRowsOf(user.userId))).toEqual([]);
  expect(await storedItems(collections.followingRowsOf(user.userId))).toEqual([]);
  expect(await storedItems(collections.wholePartition(keys.handle(user.handle).pk))).toEqual([]);
  expect(await storedItem(cleanupKeys.pending(user.userId))).toBeNull();
  expect(await storedItems(collections.followerHistoryOf(user.userId))).toEqual([]);
}

/** No run left anything behind: no pending deletion, no touched account awaiting its recount. */
export async function expectNoCleanupLeftovers(): Promise<void> {
  expect(await storedItems(collections.pendingDeletions())).toEqual([]);
  expect(await storedItems(collections.touchedAccounts())).toEqual([]);
}

/** Whether the account is still there, as the API sees it. */
export async function exists(user: { userId: string }): Promise<boolean> {
  return (await api.get(`/users/${user.userId}`)).status === 200;
}
