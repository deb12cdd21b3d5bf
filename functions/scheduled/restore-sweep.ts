import { observedStep } from "../../shared/invocation-telemetry";
import { restoreSweepStep } from "../../shared/use-cases/cleanup/restore";
import { stepBudgetMs } from "./cleanup-steps";

/**
 * The restore sweep's one step (its state machine loops it while `done` is false): every restore under way goes on
 * until done or the budget is spent (contract 1.2: a large restore goes on after the request that began it).
 */
export const handler = observedStep(async (_event: unknown): Promise<{ done: boolean }> =>
  restoreSweepStep(new Date(), stepBudgetMs()),
);
