import { getRun } from "../../shared/db/cleanup-store";
import type { RunTicket } from "../../shared/domain/cleanup";
import { DomainError } from "../../shared/errors";
import { observedStep } from "../../shared/invocation-telemetry";
import { beginRun, runRequest, ticketOf } from "../../shared/use-cases/cleanup";

/**
 * First state. Started by the admin route, the run exists already (the route took the lease): go on with it if
 * it is still running. Started by the daily schedule, begin a real run with the default cutoff; `run: null`
 * when another run holds the lease (nothing to do today).
 */
export const handler = observedStep(async (event: Partial<RunTicket>): Promise<{ run: RunTicket | null }> => {
  if (event.runId) {
    const run = await getRun(event.runId);
    return { run: run?.status === "running" ? ticketOf(run) : null };
  }
  const now = new Date();
  try {
    return { run: ticketOf(await beginRun(runRequest({}, now), now)) };
  } catch (error) {
    if (error instanceof DomainError && error.code === "cleanup_already_running") return { run: null };
    throw error;
  }
});
