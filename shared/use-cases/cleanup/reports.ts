import { accountExists } from "../../db/account-store";
import { countChangesPage, getRun, listRuns, runExists } from "../../db/cleanup-run-store";
import { listFollowerHistory } from "../../db/follower-history-store";
import type { CountChange, FollowerHistoryPoint, Run } from "../../domain/cleanup";
import { notFound } from "../../errors";
import * as z from "zod/mini";
import { cursorAfterUlid, decodeCursor, encodeCursor, ulidAfter } from "../../pagination";
import type { ListQuery } from "../../schemas/common";

// Reports: what the routes read of runs and of the follower history their recounts wrote.

/** GET /admin/cleanup-runs/{runId} */
export async function readRun(runId: string): Promise<Run> {
  const run = await getRun(runId);
  if (!run) throw notFound("The cleanup run");
  return run;
}

/** GET /admin/cleanup-runs: newest first. */
export async function runsPage(query: ListQuery): Promise<{ items: Run[]; nextCursor: string | null }> {
  const after = ulidAfter("cleanup-runs", query.cursor);
  const page = await listRuns(query.limit, after);
  return { items: page.runs, nextCursor: cursorAfterUlid("cleanup-runs", page.nextAfter) };
}

/** GET /users/{userId}/follower-history: newest first; 404 for an unknown user. */
export async function followerHistoryOf(
  userId: string,
  query: ListQuery,
): Promise<{ items: FollowerHistoryPoint[]; nextCursor: string | null }> {
  const scope = `follower-history:${userId}`;
  const after = ulidAfter(scope, query.cursor);
  const [exists, page] = await Promise.all([accountExists(userId), listFollowerHistory(userId, query.limit, after)]);
  if (!exists) throw notFound("The user");
  return { items: page.points, nextCursor: cursorAfterUlid(scope, page.nextAfter) };
}

/** The position of a run's count changes: the user ID the page ended with. */
const afterUserIdSchema = z.strictObject({ after: z.string().check(z.minLength(1)) });

/**
 * GET /admin/cleanup-runs/{runId}/count-changes: all of a run's count changes, by user ID; 404 for an unknown run
 * (after a bad cursor's 400: the request itself comes first).
 */
export async function countChangesOfRun(
  runId: string,
  query: ListQuery,
): Promise<{ items: CountChange[]; nextCursor: string | null }> {
  const scope = `count-changes:${runId}`;
  const after = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor, afterUserIdSchema).after;
  const [exists, page] = await Promise.all([runExists(runId), countChangesPage(runId, query.limit, after)]);
  if (!exists) throw notFound("The cleanup run");
  return {
    items: page.changes,
    nextCursor: page.nextAfter === null ? null : encodeCursor(scope, { after: page.nextAfter }),
  };
}
