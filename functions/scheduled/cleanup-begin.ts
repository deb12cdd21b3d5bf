import type { RunTicket } from "../../shared/domain/cleanup";
import { observedStep } from "../../shared/invocation-telemetry";
import { beginOrContinueRun } from "../../shared/use-cases/cleanup/lease";

/**
 * First state: the run the admin route started (go on with it while it runs), or the daily schedule's new run;
 * `run: null` when there is nothing to run today.
 */
export const handler = observedStep(async (event: Partial<RunTicket>): Promise<{ run: RunTicket | null }> => ({
  run: await beginOrContinueRun(event, new Date()),
}));
