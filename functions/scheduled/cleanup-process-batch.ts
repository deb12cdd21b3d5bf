import { config } from "../../shared/config";
import { observedStep } from "../../shared/invocation-telemetry";
import { processBatch } from "../../shared/use-cases/cleanup/batch";
import { stepBudgetMs, type RunTicket, type StepEvent } from "./cleanup-steps";

// This step records and delivers the notices before deletion: with notices configured, its mail settings are read
// at cold start, so a missing or malformed one stops it (fails closed) before it could judge anyone.
if (config.DELETION_NOTICE_LEADS.length > 0) await import("../../shared/mail/configured-delivery");

/** One Map item: a batch of candidates; answers the ones left when the budget ran out (the state loops). */
export const handler = observedStep(
  async (event: StepEvent & { userIds: string[] }): Promise<{ run: RunTicket; userIds: string[] }> => {
    const { remaining } = await processBatch(event.run, event.userIds, new Date(), stepBudgetMs());
    return { run: event.run, userIds: remaining };
  },
);
