import type { RunTicket } from "../../shared/domain/cleanup";
import { beginOrContinueRun } from "../../shared/use-cases/cleanup";

/**
 * First state: the run the admin route started (go on with it while it runs), or the daily schedule's new run;
 * `run: null` when there is nothing to run today.
 */
export const handler = async (event: Partial<RunTicket>): Promise<{ run: RunTicket | null }> => ({
  run: await beginOrContinueRun(event, new Date()),
});
