// Cleanup steps without vitest (the soak command runs them too): making accounts inactive (storage: no API call can
// set an old activity time), running and awaiting runs.
import { getStoredAccountState } from "../../shared/db/account-store";
import { inactivityPartition, keys } from "../../shared/db/keys";
import { updateItem } from "../../shared/db/requests";
import { api } from "./api/in-process";
import type { components } from "./api/types";
import { expectStatus, type TestUser } from "./host";

type Schemas = components["schemas"];
type Run = Schemas["Run"];

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
    // Only on the account as it lives: an account deleted since the read above is not brought back as a fragment
    // (the chaos test deletes accounts concurrently; such a fragment would sit in the inactivity index without a userId).
    ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(deletion)",
  });
}

/** Polls a run until it has left `running` (the local runner works in the background) and answers it. */
export async function settledRun(admin: TestUser, runId: string, waitMs = 25_000): Promise<Run> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const response = await api.GET("/admin/cleanup-runs/{runId}", { path: { runId }, token: admin.token });
    expectStatus(response, 200);
    if (response.data.status !== "running") return response.data;
    if (Date.now() > deadline) throw new Error(`run ${runId} still running`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Starts a run through the API and waits for it to end. */
export async function aCompletedRun(admin: TestUser, body: Schemas["CleanupRunInput"] = {}): Promise<Run> {
  const started = await api.POST("/admin/cleanup-runs", { token: admin.token, body });
  expectStatus(started, 202);
  return settledRun(admin, started.data.runId);
}
