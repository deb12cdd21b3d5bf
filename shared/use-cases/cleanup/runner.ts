import type { CandidateCursor, RunTicket } from "../../domain/cleanup";
import { logger } from "../../logger";
import { configuredMailer, type MailerSource } from "../notices";
import { processBatch } from "./batch";
import { failRun, succeedRun } from "./lease";
import { recountStep } from "./recount";
import { findCandidates, type CandidatePage } from "./search";

// The cleanup of inactive accounts as steps: begin (lease + run record), find candidates page by page, process
// batches of candidates, recount what the deletions touched, end (report + lease release in one transaction).
// AWS runs the steps in a Step Functions state machine (functions/scheduled/*, infra/constructs/cleanup-workflow.ts);
// the local server and `npm run cleanup` run the very same steps one after another (runToCompletion).

/** The steps of a run, each a Lambda function of its own in AWS (infra/constructs/cleanup-workflow.ts). */
export type CleanupStepName = "begin" | "findCandidates" | "processBatch" | "recount" | "finish" | "restoreSweep";

/** Runs one step's work; a host that plays Step Functions runs it as that step's function. */
export type StepInvoker = <T>(step: CleanupStepName, work: () => Promise<T>) => Promise<T>;
const inline: StepInvoker = (_step, work) => work();

export interface StepClock {
  /** The time each step sees (tests move it). */
  now(): Date;
  /** How long one processing or recount step may work before handing over. */
  budgetMs: number;
}

const systemClock: StepClock = { now: () => new Date(), budgetMs: 60_000 };

/**
 * Runs every step of a begun run in this process, one after another, as the state machine runs them in AWS;
 * on failure the run is marked failed and the lease released (what the state machine's Catch does).
 */
export async function runToCompletion(
  run: RunTicket,
  clock: StepClock = systemClock,
  invoke: StepInvoker = inline,
  mailer: MailerSource = configuredMailer,
): Promise<void> {
  try {
    let cursor: CandidateCursor | null = null;
    do {
      const page: CandidatePage = await invoke("findCandidates", () => findCandidates(run, cursor, clock.now()));
      for (const batch of page.batches) {
        let remaining = batch;
        while (remaining.length > 0) {
          remaining = (
            await invoke("processBatch", () => processBatch(run, remaining, clock.now(), clock.budgetMs, mailer))
          ).remaining;
        }
      }
      cursor = page.cursor;
    } while (cursor);
    while (!(await invoke("recount", () => recountStep(run, clock.now(), clock.budgetMs))).done);
    await invoke("finish", () => succeedRun(run, clock.now()));
  } catch (error) {
    logger.error("cleanup run failed", { runId: run.runId, error });
    await invoke("finish", () => failRun(run, clock.now())).catch((failure: unknown) =>
      logger.error("could not mark the cleanup run failed", { runId: run.runId, error: failure }),
    );
    throw error;
  }
}
