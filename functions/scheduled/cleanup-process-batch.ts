import type { Context } from "aws-lambda";
import { observedStep } from "../../shared/invocation-telemetry";
import { processBatch } from "../../shared/use-cases/cleanup";
import { stepBudgetMs, type RunTicket, type StepEvent } from "./cleanup-steps";

/** One Map item: a batch of candidates; answers the ones left when the budget ran out (the state loops). */
export const handler = observedStep(async (
  event: StepEvent & { userIds: string[] },
  context?: Context,
): Promise<{ run: RunTicket; userIds: string[] }> => {
  const { remaining } = await processBatch(event.run, event.userIds, new Date(), stepBudgetMs(context));
  return { run: event.run, userIds: remaining };
});
