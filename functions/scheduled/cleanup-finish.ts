import { observedStep } from "../../shared/invocation-telemetry";
import { failRun, succeedRun } from "../../shared/use-cases/cleanup/lease";
import type { StepEvent } from "./cleanup-steps";

/** Last state, on success or from the Catch: ends the run and releases its lease in one transaction. */
export const handler = observedStep(
  async (event: StepEvent & { status: "succeeded" | "failed" }): Promise<{ status: string }> => {
    if (event.status === "succeeded") await succeedRun(event.run, new Date());
    else await failRun(event.run, new Date());
    return { status: event.status };
  },
);
