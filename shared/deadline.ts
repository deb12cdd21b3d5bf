import { AsyncLocalStorage } from "node:async_hooks";
import { setMaxListeners } from "node:events";

// The invocation's deadline: the moment by which every AWS call of a Lambda invocation has ended, so that the
// function still answers itself before Lambda's timeout cuts it off (a route: 503 `unavailable` with retry-after,
// never API Gateway's bare 500; a cleanup step: its own error to the state machine). It is derived once per
// invocation from Lambda's remaining time (`context.getRemainingTimeInMillis()`) by the HTTP middleware stack
// (shared/http/handler.ts) and by the cleanup steps' wrapper (shared/invocation-telemetry.ts), and travels with
// the invocation's async flow: a host that runs many invocations in one process (a Lambda Managed Instance, the
// local server) keeps each one's own. Three readers hold the work to it:
// - the retry helpers (shared/db/retry.ts) start no retry whose wait and try would not end before it;
// - every AWS SDK call is sent with the deadline's abort signal (`untilDeadline()`): the SDK's HTTP handler cuts a
//   request still in flight off at the deadline (its socket destroyed, so a hung call cannot outlive it), and the
//   SDK's own retry loop (its `maxAttempts`, its backoff) stops waiting then too;
// - budgets of work (a post's comment rounds, DELETE /me, a cleanup step) are counted back from it.
// Each try is atomic, so a request cut off at the deadline has written all of one try or nothing of it.

/**
 * What a function keeps of its timeout to answer once its calls are cut off: building and logging the 503,
 * publishing its metrics and handing the answer to Lambda take a few milliseconds, the rest covers a busy
 * process's late timers (measured in test/integration/deadline.test.ts).
 */
export const ANSWER_MARGIN_MS = 1_000;

/** The least time one try of a request is given: no retry starts with less than this left after its wait. */
export const ATTEMPT_ALLOWANCE_MS = 100;

export interface Deadline {
  /** Epoch milliseconds: every AWS call of the invocation has ended by then. */
  readonly at: number;
  /** Aborted at `at`: cuts off the requests in flight and the SDK's retry waits. */
  readonly signal: AbortSignal;
}

/** The reason the deadline's signal is aborted with (the SDK's AbortError carries it as `cause`). */
class DeadlineReached extends Error {
  override readonly name = "DeadlineReached";
  constructor() {
    super("The invocation's deadline was reached");
  }
}

const current = new AsyncLocalStorage<Deadline>();

/** Where an invocation's deadline falls: its remaining time less the margin to answer, counted from `now`. */
export function deadlineAt(now: number, remainingMs: number, marginMs = ANSWER_MARGIN_MS): number {
  return now + Math.max(0, remainingMs - marginMs);
}

/** Whether a retry that first waits `delayMs` can still give its try `allowanceMs` before the deadline `at`. */
export function retryFits(now: number, delayMs: number, at: number, allowanceMs = ATTEMPT_ALLOWANCE_MS): boolean {
  return now + delayMs + allowanceMs <= at;
}

/**
 * Runs one invocation's work under the deadline its Lambda context gives: the remaining time less
 * `ANSWER_MARGIN_MS`, from now. Without a context (a direct call, a test) the work runs without a deadline.
 */
export async function withinDeadline<T>(
  context: { getRemainingTimeInMillis?: () => number } | undefined,
  work: () => Promise<T>,
): Promise<T> {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (remaining === undefined) return work();
  const now = Date.now();
  const at = deadlineAt(now, remaining);
  const controller = new AbortController();
  // Every request in flight listens to it (a page of parallel batch reads, say): no leak warning for many.
  setMaxListeners(0, controller.signal);
  const timer = setTimeout(() => controller.abort(new DeadlineReached()), at - now);
  try {
    return await current.run({ at, signal: controller.signal }, work);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `work` outside any invocation's deadline: work an invocation hands on, which outlives it (a host's own). */
export function outsideDeadline<T>(work: () => T): T {
  return current.exit(work);
}

/** The running invocation's deadline, if it has one. */
export function currentDeadline(): Deadline | undefined {
  return current.getStore();
}

/** Milliseconds left before the running invocation's deadline (negative past it); Infinity without one. */
export function remainingMs(now = Date.now()): number {
  const deadline = current.getStore();
  return deadline ? deadline.at - now : Infinity;
}

/**
 * The options of an AWS SDK `send` that end the call at the running invocation's deadline (none without one):
 * `client.send(command, untilDeadline())`.
 */
export function untilDeadline(): { abortSignal?: AbortSignal } {
  const deadline = current.getStore();
  return deadline ? { abortSignal: deadline.signal } : {};
}

/**
 * Until when work that must leave `reserveMs` before the running invocation's deadline may start new pieces (epoch
 * milliseconds); Infinity without a deadline. The budgets of long requests (DELETE /me) count back from it.
 */
export function deadlineMinus(reserveMs: number): number {
  const deadline = current.getStore();
  return deadline ? deadline.at - reserveMs : Infinity;
}

/**
 * Until when a piece of work given `budgetMs` may start new steps (epoch milliseconds): `budgetMs` from now, but never
 * later than `reserveMs` before the running invocation's deadline (what the request still has to do after it).
 */
export function budgetUntil(budgetMs: number, reserveMs: number): number {
  return Math.min(Date.now() + budgetMs, deadlineMinus(reserveMs));
}

/** Whether a retry that first waits `delayMs` fits before the running invocation's deadline (always, without one). */
export function retryFitsDeadline(delayMs: number): boolean {
  const deadline = current.getStore();
  return !deadline || retryFits(Date.now(), delayMs, deadline.at);
}

/** Whether `error` is a call cut off because the running invocation's deadline was reached. */
export function cutOffByDeadline(error: unknown): boolean {
  const deadline = current.getStore();
  return deadline !== undefined && deadline.signal.aborted && error instanceof Error && error.name === "AbortError";
}
