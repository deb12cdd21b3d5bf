import { handler as beginStep } from "../../functions/scheduled/cleanup-begin";
import { CLEANUP_STEP_TIMEOUT_SECONDS } from "../../functions/scheduled/cleanup-steps";
import { outsideDeadline, withinDeadline } from "../../shared/deadline";
import { handler as sweepStep } from "../../functions/scheduled/restore-sweep";
import type { RunTicket } from "../../shared/domain/cleanup";
import { logger } from "../../shared/logger";
import { publishBusinessMetrics } from "../../shared/metrics";
import { runToCompletion, type StepInvoker } from "../../shared/use-cases/cleanup/runner";
import { useInProcessRunner } from "../../shared/use-cases/cleanup-runner";
import { whenRestoresAreLeft } from "../../shared/use-cases/cleanup/restore";
import { reportAwsCall, runAs } from "./invocation-context";
import { asInvocation } from "./invoke-store";
import { lambdaContext } from "./lambda-context";

// The local host's cleanup runner, in the place of Step Functions: a begun run's steps run in this process, in the
// background, one after another (the same step code the state machine runs in AWS), each as its own function,
// invoked by the state machine. Importing this module registers it.

const inProcess = new Map<string, Promise<void>>();

/** The state machine invoking one step's function (its role's lambda:InvokeFunction), which runs as itself. */
export const asStepFunction: StepInvoker = (step, work) => {
  reportAwsCall("lambda:InvokeFunction", { kind: "cleanupStep", step });
  // The step's own invocation: its log keys and metrics are its own, what it counted is published as it ends, and
  // its DynamoDB calls end by its own deadline, from its function's timeout, as in Lambda (shared/deadline.ts).
  const context = lambdaContext(`Cleanup-${step}`, CLEANUP_STEP_TIMEOUT_SECONDS);
  return runAs({ kind: "cleanupStep", step }, () =>
    asInvocation(() => withinDeadline(context, work).finally(publishBusinessMetrics), context.awsRequestId),
  );
};

/** What `states:StartExecution` does: the caller starts the state machine, which then runs on its own. */
export function startExecution(run: RunTicket): void {
  reportAwsCall("states:StartExecution", { kind: "cleanupStateMachine" });
  // The state machine runs on its own, outside the invocation that started it (its logs, metrics and deadline are
  // not that one's).
  const running = outsideDeadline(() =>
    runAs({ kind: "cleanupStateMachine" }, () =>
      asInvocation(async () => {
        // BeginRun first, as in AWS: it goes on with a run the route began only while that run is still running.
        const begun = await asStepFunction("begin", () => beginStep(run));
        if (begun.run) await runToCompletion(begun.run, undefined, asStepFunction);
      }),
    ),
  )
    .catch((error: unknown) => logger.error("in-process cleanup run failed", { runId: run.runId, error }))
    .finally(() => inProcess.delete(run.runId));
  inProcess.set(run.runId, running);
}

useInProcessRunner(startExecution);

let sweepAgain = false;

/**
 * What the restore sweep's schedule does in AWS (every minute, `{"sweep": true}`), started at once here when a
 * request left a restore unfinished: the state machine runs the sweep step until every restore under way is done.
 */
export function startRestoreSweep(): void {
  if (inProcess.has(SWEEP)) {
    sweepAgain = true;
    return;
  }
  // Started by a request, the sweep runs on its own, outside that request's deadline (as the state machine does).
  const running = outsideDeadline(() =>
    runAs({ kind: "cleanupStateMachine" }, () =>
      asInvocation(async () => {
        do {
          sweepAgain = false;
          while (!(await asStepFunction("restoreSweep", () => sweepStep({}))).done);
        } while (sweepAgain);
      }),
    ),
  )
    .catch((error: unknown) => logger.error("in-process restore sweep failed", { error }))
    .finally(() => inProcess.delete(SWEEP));
  inProcess.set(SWEEP, running);
}

const SWEEP = "restore-sweep";
whenRestoresAreLeft(startRestoreSweep);

/** Waits for the runs this process is running in the background (tests, and the local server's shutdown). */
export async function inProcessRunsSettled(): Promise<void> {
  while (inProcess.size > 0) await Promise.all([...inProcess.values()]);
}
