import { config } from "../config";
import type { RunTicket } from "../domain/cleanup";
import { describeError, logger } from "../logger";
import { runToCompletion } from "./cleanup";

// Who runs a begun cleanup run's steps, by configuration (CLEANUP_RUNNER): the Step Functions state machine in
// AWS (a Lambda cannot work on after it answered), or this very process in the background (the local server).

const inProcess = new Map<string, Promise<void>>();

/** Hands a begun run to the configured runner; returns once it is handed over, not once it is done. */
export async function startRunner(run: RunTicket): Promise<void> {
  if (config.CLEANUP_RUNNER === "step-functions") {
    // Loaded only here, so that no other function bundles or loads the Step Functions client.
    const { SFNClient, StartExecutionCommand } = await import("@aws-sdk/client-sfn");
    stepFunctions ??= new SFNClient({ region: config.AWS_REGION });
    await stepFunctions.send(
      new StartExecutionCommand({
        stateMachineArn: config.CLEANUP_STATE_MACHINE_ARN,
        // The run ID names the execution: a retried start of the same run cannot start it twice.
        name: run.runId,
        input: JSON.stringify(run),
      }),
    );
    return;
  }
  const running = runToCompletion(run)
    .catch((error: unknown) => logger.error("in-process cleanup run failed", { runId: run.runId, ...describeError(error) }))
    .finally(() => inProcess.delete(run.runId));
  inProcess.set(run.runId, running);
}

let stepFunctions: import("@aws-sdk/client-sfn").SFNClient | undefined;

/** Waits for the runs this process is running in the background (tests, and the local server's shutdown). */
export async function inProcessRunsSettled(): Promise<void> {
  while (inProcess.size > 0) await Promise.all([...inProcess.values()]);
}
