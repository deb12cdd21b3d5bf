// Cleanup steps for tests: making accounts inactive (storage: no API call can set an old activity time), running
// and awaiting runs, and the invariants every run must leave behind.
import { QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { expect } from "vitest";
import { getStoredAccountState } from "../../shared/db/account-store";
import { documentClient, tableName } from "../../shared/db/client";
import { countFollowers, countFollowing } from "../../shared/db/follow-store";
import { cleanupKeys, inactivityPartition, keys } from "../../shared/db/keys";
import { api } from "./api";
import { expectStatus, type TestUser } from "./given";

/** Sets an account's last activity to `at` (and its place in the inactivity index, as activity writes do). */
export async function lastActiveAt(user: { userId: string }, at: string): Promise<void> {
  const state = await getStoredAccountState(user.userId);
  if (!state) throw new Error(`no account ${user.userId}`);
  const reader = state.account.role === "reader";
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.account(user.userId),
      UpdateExpression: reader
        ? "SET lastActiveAt = :at, inactivityPk = :pk, inactivitySk = :at"
        : "SET lastActiveAt = :at REMOVE inactivityPk, inactivitySk",
      ExpressionAttributeValues: reader ? { ":at": at, ":pk": inactivityPartition(at) } : { ":at": at },
    }),
  );
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

async function itemsOf(pk: string, prefix?: string): Promise<Record<string, unknown>[]> {
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: prefix ? "pk = :pk AND begins_with(sk, :prefix)" : "pk = :pk",
      ExpressionAttributeValues: prefix ? { ":pk": pk, ":prefix": prefix } : { ":pk": pk },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
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
  expect(await itemsOf(keys.account(user.userId).pk), `items of ${user.userId}`).toEqual([]);
  expect(await itemsOf(`FOLLOWERS#${user.userId}`)).toEqual([]);
  expect(await itemsOf(`FOLLOWING#${user.userId}`)).toEqual([]);
  expect(await itemsOf(keys.handle(user.handle).pk)).toEqual([]);
  expect(await itemsOf(cleanupKeys.pending(user.userId).pk, cleanupKeys.pending(user.userId).sk)).toEqual([]);
  expect(await itemsOf(cleanupKeys.historyPartition(user.userId))).toEqual([]);
}

/** No run left anything behind: no pending deletion, no touched account awaiting its recount. */
export async function expectNoCleanupLeftovers(): Promise<void> {
  expect(await itemsOf(cleanupKeys.pendingPartition)).toEqual([]);
  expect(await itemsOf(cleanupKeys.touchedPartition)).toEqual([]);
}

/** Whether the account is still there, as the API sees it. */
export async function exists(user: { userId: string }): Promise<boolean> {
  return (await api.get(`/users/${user.userId}`)).status === 200;
}
