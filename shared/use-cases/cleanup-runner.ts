import { config } from "../config";
import { untilDeadline } from "../deadline";
import type { RunTicket } from "../domain/cleanup";

// Who runs a begun cleanup run's steps, by configuration (CLEANUP_RUNNER): the Step Functions state machine in
// AWS (a Lambda cannot work on after it answered), or this very process in the background (the local server).
// The in-process runner registers itself from the local host (infra/local/cleanup-runner.ts), so the
// deployed function bundles only the Step Functions client, not the cleanup's steps.

// Only the function that starts runs loads this module, and it must know its runner: no default could be right
// both here and in AWS, so it refuses to load without one.
if (!config.CLEANUP_RUNNER) {
  throw new Error(
    "Invalid configuration: CLEANUP_RUNNER: is required where cleanup runs are started (step-functions in AWS)",
  );
}

type Runner = (run: RunTicket) => void;
let inProcessRunner: Runner | undefined;

/** Called by the local host: runs' steps then run in this process. */
export function useInProcessRunner(runner: Runner): void {
  inProcessRunner = runner;
}

/** Hands a begun run to the configured runner; returns once it is handed over, not once it is done. */
export async function startRunner(run: RunTicket): Promise<void> {
  if (config.CLEANUP_RUNNER === "step-functions") {
    // Loaded only here, when the first run starts, so that no other function bundles or loads the Step Functions
    // client. The run ID names the execution: a retried start of the same run cannot start it twice.
    const { startExecution } = await import("./step-functions-start");
    await startExecution(
      config.AWS_REGION,
      config.CLEANUP_STATE_MACHINE_ARN,
      run.runId,
      JSON.stringify(run),
      untilDeadline(),
    );
    return;
  }
  if (!inProcessRunner) throw new Error("CLEANUP_RUNNER is in-process, but this host registered no in-process runner");
  inProcessRunner(run);
}
