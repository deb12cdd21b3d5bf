// Cleanup steps for tests: making accounts inactive (storage: no API call can set an old activity time), running
// and awaiting runs, and the invariants every run must leave behind.
import { expect } from "vitest";
import { getStoredAccountState } from "../../shared/db/account-store";
import { countFollowers, countFollowing } from "../../shared/db/follow-read-store";
import { cleanupKeys, collections, keys } from "../../shared/db/keys";
import { api } from "./api/in-process";
import { storedItem, storedItems } from "./storage";
import { type TestUser } from "./host";

export { aCompletedRun, lastActiveAt, settledRun } from "./cleanup-runs";

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
  expect(
    await storedItems(collections.wholePartition(keys.account(user.userId).pk)),
    `items of ${user.userId}`,
  ).toEqual([]);
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
  return (await api.GET("/users/{userId}", { path: { userId: user.userId } })).status === 200;
}
