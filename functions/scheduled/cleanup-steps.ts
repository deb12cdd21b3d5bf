// What the cleanup state machine hands its Lambda steps, and the time a step may spend: far inside the
// functions' 5-minute timeout, so a step always hands over before Lambda could cut it off.
import type { Context } from "aws-lambda";
import type { CandidateCursor, RunTicket } from "../../shared/domain/cleanup";

export interface StepEvent {
  run: RunTicket;
}

/** Each step function's timeout, as the stack deploys it (infra/constructs/cleanup-workflow.ts). */
export const CLEANUP_STEP_TIMEOUT_SECONDS = 300;

/** At most 2 minutes of work per invocation, and always a minute short of the function's timeout. */
export function stepBudgetMs(context: Context | undefined): number {
  const remaining = context?.getRemainingTimeInMillis?.() ?? 180_000;
  return Math.max(1_000, Math.min(120_000, remaining - 60_000));
}

export type { CandidateCursor, RunTicket };
