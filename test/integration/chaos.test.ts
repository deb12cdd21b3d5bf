import { describe, expect, it, vi } from "vitest";

// With a second chance (contract 1.2): runs deactivate, sign-ins restore, undos give runs back, and the clock jumps
// past the grace now and then, so that runs purge.
vi.hoisted(() => {
  process.env.DEACTIVATION_GRACE = "P30D";
});

import { expectNoDrift } from "../support/audit";
import { chaosSummary, runChaos } from "../support/chaos";

// Random concurrent operations (follow, unfollow, publish, delete post, comment, delete comment, profile changes,
// DELETE /me, cleanup runs, some of them killed part-way) through the real handlers while DynamoDB conflicts,
// throttles and loses answers after applying writes; then the audit must find nothing. It runs in `npm test` beside
// the other files: a request the busy machine cannot serve within its function's time answers 503 at its deadline
// (shared/deadline.ts), which the contract allows, instead of timing out. `npm test` draws from a fixed seed; a
// failure prints it: `CHAOS_SEED=<seed> npx vitest run test/integration/chaos.test.ts` draws the same operations and
// faults again (the interleaving of concurrent requests still varies), `CHAOS_SEED=random` new ones.
// `npm run soak -- --minutes N` runs it longer.

const DEFAULT_SEED = 20_261_206;
/** About 10 s on an idle 2-core machine, 30 s beside the rest of `npm test`: a count, not a time, so load cannot thin it. */
const CHAOS_OPERATIONS = 500;
const seed =
  process.env.CHAOS_SEED === "random"
    ? Math.floor(Math.random() * 2 ** 31)
    : Number(process.env.CHAOS_SEED ?? DEFAULT_SEED);

describe("chaos", () => {
  it(
    `answers only within the contract and leaves zero drift, whatever faults it meets (CHAOS_SEED=${seed})`,
    { timeout: 180_000 },
    async () => {
      const stats = await runChaos({ seed, operations: CHAOS_OPERATIONS, concurrency: 6 }).catch((error: unknown) => {
        // An operation that failed outside the contract (a cleanup run's own error, say) stops the run: name the seed.
        throw new Error(`chaos stopped by ${String(error)}; rerun with CHAOS_SEED=${seed}`, { cause: error });
      });
      const context = `${chaosSummary(stats)}; rerun with CHAOS_SEED=${seed}`;
      // CHAOS_VERBOSE=1 prints the figures and the answers by operation and status.
      if (process.env.CHAOS_VERBOSE) console.log(context, JSON.stringify(stats.answers));

      expect(stats.violations, context).toEqual([]);
      await expectNoDrift(context);
      // The run did meet every kind of fault, and did real work.
      expect(stats.faults.conflicts, context).toBeGreaterThan(0);
      expect(stats.faults.throttles, context).toBeGreaterThan(0);
      expect(stats.faults.lostAnswers, context).toBeGreaterThan(0);
      expect(stats.answers["follow 200"], context).toBeGreaterThan(0);
      expect(stats.answers["comment 201"], context).toBeGreaterThan(0);
    },
  );
});
