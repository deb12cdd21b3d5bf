import { describe, expect, it } from "vitest";
import { stepBudgetMs } from "../../functions/scheduled/cleanup-steps";
import { backoffDelay, defaultRetryBudget, untilDone, withRetry } from "../../shared/db/retry";
import {
  ANSWER_MARGIN_MS,
  ATTEMPT_ALLOWANCE_MS,
  budgetUntil,
  currentDeadline,
  cutOffByDeadline,
  deadlineAt,
  deadlineMinus,
  outsideDeadline,
  remainingMs,
  retryFits,
  untilDeadline,
  withinDeadline,
} from "../../shared/deadline";
import { DomainError } from "../../shared/errors";

// The arithmetic of the per-request deadline (shared/deadline.ts) and of the retries held to it (shared/db/retry.ts).

/** A Lambda context with `ms` left. */
const leaving = (ms: number) => {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => Math.max(0, end - Date.now()) };
};
const throttled = () => Object.assign(new Error("throttled"), { name: "ThrottlingException" });
const isUnavailable = (error: unknown) => error instanceof DomainError && error.code === "unavailable";

describe("where the deadline falls", () => {
  it("is the function's remaining time less the margin to answer (1 s), counted from the invocation's start", () => {
    expect(ANSWER_MARGIN_MS).toBe(1_000);
    expect(deadlineAt(50_000, 10_000)).toBe(59_000);
    expect(deadlineAt(50_000, 29_000)).toBe(78_000);
    expect(deadlineAt(50_000, 300_000)).toBe(349_000);
  });

  it("is the start itself when less than the margin is left", () => {
    expect(deadlineAt(50_000, 1_000)).toBe(50_000);
    expect(deadlineAt(50_000, 400)).toBe(50_000);
    expect(deadlineAt(50_000, 0)).toBe(50_000);
  });

  it("leaves a retry only if its wait and a try's allowance (100 ms) end by it", () => {
    expect(ATTEMPT_ALLOWANCE_MS).toBe(100);
    expect(retryFits(1_000, 400, 1_500)).toBe(true); // ends at 1,500 exactly
    expect(retryFits(1_000, 401, 1_500)).toBe(false);
    expect(retryFits(1_000, 0, 1_099)).toBe(false);
    expect(retryFits(2_000, 0, 1_500)).toBe(false); // past it
  });
});

describe("an invocation under its deadline", () => {
  it("sees the time left before its deadline, the SDK's abort signal and where its budgets end", async () => {
    await withinDeadline(leaving(10_000), async () => {
      expect(remainingMs()).toBeGreaterThan(8_900);
      expect(remainingMs()).toBeLessThanOrEqual(9_000);
      expect(untilDeadline().abortSignal).toBe(currentDeadline()!.signal);
      expect(deadlineMinus(4_000)).toBe(currentDeadline()!.at - 4_000);
    });
  });

  it("gives a piece of work its budget, cut short to leave the reserve before the deadline (a restore, a sync)", async () => {
    await withinDeadline(leaving(10_000), async () => {
      const at = currentDeadline()!.at;
      const before = Date.now();
      const roomy = budgetUntil(1_000, 5_000);
      expect(roomy).toBeGreaterThanOrEqual(before + 1_000);
      expect(roomy).toBeLessThanOrEqual(Date.now() + 1_000);
      expect(budgetUntil(3_000, 8_000)).toBe(at - 8_000);
    });
    // without a deadline, the budget alone
    const start = Date.now();
    const free = budgetUntil(2_000, 5_000);
    expect(free).toBeGreaterThanOrEqual(start + 2_000);
    expect(free).toBeLessThanOrEqual(Date.now() + 2_000);
  });

  it("aborts its signal at the deadline, which marks the AWS calls it cut off", async () => {
    await withinDeadline(leaving(ANSWER_MARGIN_MS + 50), async () => {
      const { signal } = currentDeadline()!;
      const abort = Object.assign(new Error("Request aborted"), { name: "AbortError" });
      expect([signal.aborted, cutOffByDeadline(abort)]).toEqual([false, false]);
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect([signal.aborted, cutOffByDeadline(abort), cutOffByDeadline(throttled())]).toEqual([true, true, false]);
    });
  });

  it("has none without a Lambda context, nor in work handed on outside it", async () => {
    expect([remainingMs(), deadlineMinus(4_000), untilDeadline()]).toEqual([Infinity, Infinity, {}]);
    await withinDeadline(undefined, async () => expect(remainingMs()).toBe(Infinity));
    await withinDeadline(leaving(5_000), async () => {
      outsideDeadline(() => expect(currentDeadline()).toBeUndefined());
    });
  });

  it("keeps each concurrent invocation's own deadline", async () => {
    const seen = await Promise.all(
      [3_000, 8_000].map((ms) =>
        withinDeadline(leaving(ms), async () => {
          await new Promise((resolve) => setTimeout(resolve, 10));
          return remainingMs();
        }),
      ),
    );
    expect(seen[0]).toBeLessThanOrEqual(2_000);
    expect(seen[1]).toBeGreaterThan(6_000);
    expect(seen[1]).toBeLessThanOrEqual(7_000);
  });
});

describe("the retries within the deadline", () => {
  it("wait a random time up to base × 2^attempt, capped (full jitter)", () => {
    expect(backoffDelay(defaultRetryBudget, 1, () => 1)).toBe(20);
    expect(backoffDelay(defaultRetryBudget, 5, () => 1)).toBe(320);
    expect(backoffDelay(defaultRetryBudget, 9, () => 1)).toBe(400);
    expect(backoffDelay(defaultRetryBudget, 9, () => 0)).toBe(0);
    expect(backoffDelay(defaultRetryBudget, 3, () => 0.5)).toBe(40);
  });

  it("stop before the deadline with `unavailable`, however many tries the budget still allowed", async () => {
    const patient = { attempts: 1_000, baseDelayMs: 20, maxDelayMs: 50 };
    let tries = 0;
    const started = Date.now();
    await withinDeadline(leaving(ANSWER_MARGIN_MS + 300), async () => {
      await expect(
        withRetry(async () => {
          tries++;
          throw throttled();
        }, patient),
      ).rejects.toSatisfy(isUnavailable);
    });
    // By the deadline (300 ms; a busy machine's late timers aside), where the budget alone would wait some 25 s.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(tries).toBeGreaterThan(3);
    expect(tries).toBeLessThan(1_000);
  });

  it("turn a call the deadline cut off into `unavailable`, and leave any other abort as it is", async () => {
    const aborted = () => Promise.reject(Object.assign(new Error("Request aborted"), { name: "AbortError" }));
    await withinDeadline(leaving(ANSWER_MARGIN_MS), async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await expect(withRetry(aborted)).rejects.toSatisfy(isUnavailable);
    });
    await expect(withRetry(aborted)).rejects.toMatchObject({ name: "AbortError" });
  });

  it("of unprocessed items stop before the deadline too", async () => {
    const patient = { attempts: 1_000, baseDelayMs: 20, maxDelayMs: 50 };
    let rounds = 0;
    const started = Date.now();
    await withinDeadline(leaving(ANSWER_MARGIN_MS + 300), async () => {
      await expect(untilDone(async () => void rounds++, patient)).rejects.toSatisfy(isUnavailable);
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(rounds).toBeGreaterThan(3);
  });

  it("run the whole budget without a deadline (10 tries)", async () => {
    let tries = 0;
    await expect(
      withRetry(
        async () => {
          tries++;
          throw throttled();
        },
        { attempts: 10, baseDelayMs: 1, maxDelayMs: 2 },
      ),
    ).rejects.toSatisfy(isUnavailable);
    expect(tries).toBe(10);
  });
});

describe("a cleanup step's budget of work", () => {
  it("is at most 2 minutes, and always a minute short of the step's deadline", async () => {
    const budgetLeaving = (ms: number) => withinDeadline(leaving(ms), async () => stepBudgetMs());
    expect(await budgetLeaving(300_000)).toBe(120_000);
    const short = await budgetLeaving(100_000); // deadline in 99 s: 39 s of work
    expect(short).toBeGreaterThan(38_900);
    expect(short).toBeLessThanOrEqual(39_000);
    expect(await budgetLeaving(30_000)).toBe(1_000);
    expect(stepBudgetMs()).toBe(120_000);
  });
});
