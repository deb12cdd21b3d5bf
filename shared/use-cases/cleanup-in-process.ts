import type { RunTicket } from "../domain/cleanup";
import { describeError, logger } from "../logger";
import { runToCompletion } from "./cleanup";
import { useInProcessRunner } from "./cleanup-runner";

// The local host's cleanup runner: a begun run's steps run in this process, in the background, one after another
// (the same step code the Step Functions state machine runs in AWS). Importing this module registers it.

const inProcess = new Map<string, Promise<void>>();

function runInProcess(run: RunTicket): void {
  const running = runToCompletion(run)
    .catch((error: unknown) => logger.error("in-process cleanup run failed", { runId: run.runId, ...describeError(error) }))
    .finally(() => inProcess.delete(run.runId));
  inProcess.set(run.runId, running);
}

useInProcessRunner(runInProcess);

/** Waits for the runs this process is running in the background (tests, and the local server's shutdown). */
export async function inProcessRunsSettled(): Promise<void> {
  while (inProcess.size > 0) await Promise.all([...inProcess.values()]);
}
