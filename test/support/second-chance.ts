// Steps of the second chance (contract 1.2) for tests: runs at an instant (deactivation, purge), the undo through
// the admin route, and waiting for restores the local runner finishes in the background.
import { expect } from "vitest";
import { asStepFunction } from "../../infra/local/cleanup-runner";
import { markAccountDeletion } from "../../shared/db/account-deletion-store";
import { getStoredAccountState } from "../../shared/db/account-store";
import { isDeactivation } from "../../shared/db/entities/account";
import { flipToRestoring } from "../../shared/db/second-chance-store";
import { ulid } from "../../shared/ids";
import { config } from "../../shared/config";
import type { Profile } from "../../shared/domain/account";
import { defaultCutoff, type FollowerHistoryPoint, type Run } from "../../shared/domain/cleanup";
import type { FollowListEntry } from "../../shared/domain/follow";
import { beginRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { readRun } from "../../shared/use-cases/cleanup/reports";
import { deactivateMarkedAccount } from "../../shared/use-cases/cleanup/deactivate";
import { runToCompletion } from "../../shared/use-cases/cleanup/runner";
import { expectStatus, type TestUser } from "./host";
import { when } from "./when";
import { restoresSettled, undoSettled } from "./restores";

export { restoresSettled, undoSettled };

export const DAY_MS = 24 * 60 * 60 * 1000;

/** A whole run at the instant `at` (every step sees it), as the state machine runs it; answers the Run. */
export async function aCleanupRunAt(at: Date, cutoff = defaultCutoff(at, config.INACTIVE_AFTER_DAYS)) {
  const run = await beginRun({ dryRun: false, cutoff }, at);
  await runToCompletion(ticketOf(run), { now: () => at, budgetMs: 60_000 }, asStepFunction);
  return readRun(run.runId);
}

/** The owner signs in (GET /me): answers the Me it got. */
export function signsIn(user: TestUser) {
  return when.readsOwnAccount(user);
}

/**
 * Deactivates an account directly with the run's own steps (any role: the run's judgement is left out), so that its
 * next signed-in request restores it: the IAM proof drives every route as such a returning account.
 */
export async function deactivatedDirectly(user: { userId: string }, now = new Date()): Promise<void> {
  const state = await getStoredAccountState(user.userId);
  if (!state || state.deletion) throw new Error(`account ${user.userId} is not live`);
  const mark = {
    reason: "inactive" as const,
    runId: null,
    at: now.toISOString(),
    graceUntil: new Date(now.getTime() + 30 * DAY_MS).toISOString(),
    phase: "deactivating" as const,
  };
  if (!(await markAccountDeletion(state, mark, null))) throw new Error(`account ${user.userId} was not marked`);
  const steps = { run: null, deadline: Date.now() + 30_000, now, touched: new Set<string>() };
  expect(await deactivateMarkedAccount(user.userId, steps)).toBe("deactivated");
}

/**
 * Begins an account's restore as its owner's sign-in would, but does no more of it (a request whose budget ran out
 * at once): what is left is the restore sweep's.
 */
export async function aRestoreLeftToTheSweep(user: { userId: string }, now = new Date()): Promise<void> {
  const state = await getStoredAccountState(user.userId);
  const mark = state?.deletion ?? null;
  if (!state || !isDeactivation(mark)) throw new Error(`account ${user.userId} is not deactivated`);
  const restoreId = ulid(now.getTime());
  const restoring = { restoreId, touchedSet: restoreId, fromRunId: mark.runId, at: now.toISOString() };
  expect(await flipToRestoring(state, mark, restoring, { kind: "sign-in", at: now.toISOString() })).toBe(true);
}

/** Where an account's deactivation stands, as stored (null: none; "live" when the account is there). */
export async function stateOf(user: { userId: string }): Promise<string> {
  const state = await getStoredAccountState(user.userId);
  if (!state) return "gone";
  if (state.restoring) return "restoring";
  return state.deletion?.phase ?? (state.deletion ? "deleting" : "live");
}

/** The profile as the API shows it (404 when absent). */
export async function profileOf(user: { userId: string }): Promise<Profile | null> {
  const response = await when.readsProfileOf(user);
  return response.status === 200 ? response.data : null;
}

/** A run as the admin route shows it. */
export async function runOf(admin: TestUser, runId: string): Promise<Run> {
  const response = await when.readsCleanupRun(admin, runId);
  expectStatus(response, 200);
  return response.data;
}

/** An account's follower history as the API shows it (the first page, newest first). */
export async function historyOf(user: { userId: string }): Promise<FollowerHistoryPoint[]> {
  const response = await when.readsFollowerHistoryOf(user);
  expectStatus(response, 200);
  return response.data.items;
}

/** A follower or following list's first page as the API shows it. */
export async function listOf(user: { userId: string }, list: "followers" | "following"): Promise<FollowListEntry[]> {
  const response = list === "followers" ? await when.listsFollowersOf(user) : await when.listsFollowingOf(user);
  expectStatus(response, 200);
  return response.data.items;
}

/** The follower count the API shows for an account. */
export async function followersOf(user: { userId: string }): Promise<number> {
  const profile = await profileOf(user);
  expect(profile, `profile of ${user.userId}`).not.toBeNull();
  return profile!.followerCount;
}
