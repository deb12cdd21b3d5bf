// What the cleanup state machine hands its Lambda steps, and the time a step may spend: far inside the
// functions' 5-minute timeout, so a step always hands over before Lambda could cut it off.
import { remainingMs } from "../../shared/deadline";
import type { CandidateCursor, RunTicket } from "../../shared/domain/cleanup";

export interface StepEvent {
  run: RunTicket;
}

/** Each step function's timeout, as the stack deploys it (infra/constructs/cleanup-workflow.ts). */
export const CLEANUP_STEP_TIMEOUT_SECONDS = 300;

/** What a step keeps back from its deadline to finish the candidate or account it is on when its budget ends. */
const STEP_RESERVE_MS = 60_000;

/**
 * How long a step starts new work: at most 2 minutes per invocation, and always a minute short of the invocation's
 * deadline (shared/deadline.ts: the function's remaining time less the margin to answer), which also ends every
 * DynamoDB call and retry of the step; 2 minutes when it runs without one.
 */
export function stepBudgetMs(): number {
  return Math.max(1_000, Math.min(120_000, remainingMs() - STEP_RESERVE_MS));
}

export type { CandidateCursor, RunTicket };
