// Steps of the second chance (contract 1.2) for tests: runs at an instant (deactivation, purge), the undo through
// the admin route, and waiting for restores the local runner finishes in the background.
import { expect } from "vitest";
import { inProcessRunsSettled, asStepFunction } from "../../infra/local/cleanup-runner";
import { getStoredAccountState } from "../../shared/db/account-store";
import { config } from "../../shared/config";
import { defaultCutoff } from "../../shared/domain/cleanup";
import { beginRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { readRun } from "../../shared/use-cases/cleanup/reports";
import { restoreSweepStep } from "../../shared/use-cases/cleanup/restore";
import { runToCompletion } from "../../shared/use-cases/cleanup/runner";
import { api } from "./api";
import { expectStatus, type TestUser } from "./given";

export const DAY_MS = 24 * 60 * 60 * 1000;

/** A whole run at the instant `at` (every step sees it), as the state machine runs it; answers the Run. */
export async function aCleanupRunAt(at: Date, cutoff = defaultCutoff(at, config.INACTIVE_AFTER_DAYS)) {
  const run = await beginRun({ dryRun: false, cutoff }, at);
  await runToCompletion(ticketOf(run), { now: () => at, budgetMs: 60_000 }, asStepFunction);
  return readRun(run.runId);
}

/** Every restore the local runner (or an earlier request) left under way is done, as the restore sweep does it. */
export async function restoresSettled(): Promise<void> {
  await inProcessRunsSettled();
  while (!(await restoreSweepStep(new Date(), 60_000)).done);
}

/** The owner signs in (GET /me): answers the Me it got. */
export async function signsIn(user: TestUser): Promise<{ status: number; body: Record<string, any> }> {
  return api.get("/me", { token: user.token });
}

/** An admin undoes a run through the route, and the undo ends: answers the Run then. */
export async function anUndo(admin: TestUser, runId: string): Promise<Record<string, any>> {
  const started = await api.post(`/admin/cleanup-runs/${runId}/restore`, { token: admin.token });
  expectStatus(started, 202);
  return undoSettled(admin, runId);
}

/** Polls a run until its undo has left `running`. */
export async function undoSettled(admin: TestUser, runId: string, waitMs = 60_000): Promise<Record<string, any>> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const response = await api.get(`/admin/cleanup-runs/${runId}`, { token: admin.token });
    expectStatus(response, 200);
    if (response.body.undo && response.body.undo.status !== "running") {
      await inProcessRunsSettled();
      return response.body;
    }
    if (Date.now() > deadline) throw new Error(`undo of ${runId} still running`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Where an account's deactivation stands, as stored (null: none; "live" when the account is there). */
export async function stateOf(user: { userId: string }): Promise<string> {
  const state = await getStoredAccountState(user.userId);
  if (!state) return "gone";
  if (state.restoring) return "restoring";
  return state.deletion?.phase ?? (state.deletion ? "deleting" : "live");
}

/** The profile as the API shows it (404 when absent). */
export async function profileOf(user: { userId: string }) {
  const response = await api.get(`/users/${user.userId}`);
  return response.status === 200 ? response.body : null;
}

/** The follower count the API shows for an account. */
export async function followersOf(user: { userId: string }): Promise<number> {
  const profile = await profileOf(user);
  expect(profile, `profile of ${user.userId}`).not.toBeNull();
  return profile!.followerCount;
}
