import { observedStep } from "../../shared/invocation-telemetry";
import { findCandidates, type CandidatePage } from "../../shared/use-cases/cleanup/search";
import type { CandidateCursor, StepEvent } from "./cleanup-steps";

/** A page of candidates in batches (at most 200 user IDs: a few KB of state), and where the search goes on. */
export const handler = observedStep(
  async (event: StepEvent & { cursor: CandidateCursor | null }): Promise<CandidatePage> =>
    findCandidates(event.run, event.cursor ?? null, new Date()),
);
