import { observedStep } from "../../shared/invocation-telemetry";
import { recountStep } from "../../shared/use-cases/cleanup/recount";
import { stepBudgetMs, type StepEvent } from "./cleanup-steps";

/** Recounts touched accounts until none is left or the budget runs out (`done: false`: the state loops). */
export const handler = observedStep(async (event: StepEvent): Promise<{ done: boolean }> =>
  recountStep(event.run, new Date(), stepBudgetMs()),
);
