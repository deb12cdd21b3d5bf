// Restores without vitest (the soak command runs them too): waiting for the restores the local runner finishes in
// the background, and for an undo of a run to end.
import { inProcessRunsSettled, startRestoreSweep } from "../../infra/local/cleanup-runner";
import type { Run } from "../../shared/domain/cleanup";
import { expectStatus, type TestUser } from "./host";
import { when } from "./when";

/** Every restore the local runner (or an earlier request) left under way is done, as the restore sweep does it. */
export async function restoresSettled(): Promise<void> {
  await inProcessRunsSettled();
  startRestoreSweep();
  await inProcessRunsSettled();
}

/** Polls a run until its undo has left `running`. */
export async function undoSettled(admin: TestUser, runId: string, waitMs = 60_000): Promise<Run> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const response = await when.readsCleanupRun(admin, runId);
    expectStatus(response, 200);
    const run: Run = response.data;
    if (run.undo && run.undo.status !== "running") {
      await inProcessRunsSettled();
      return run;
    }
    if (Date.now() > deadline) throw new Error(`undo of ${runId} still running`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
