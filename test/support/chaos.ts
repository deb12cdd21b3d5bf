// Chaos: random concurrent operations through the real handlers (in-process, as the other integration tests call
// them: every answer checked against the OpenAPI document) while DynamoDB misbehaves as it can in AWS. Shared by
// test/integration/chaos.test.ts (a bounded run in CI) and `npm run soak -- --minutes N` (bench/soak.ts). No vitest
// here: the soak command runs outside it. The audit (shared/use-cases/audit.ts) is the oracle afterwards.
import { AsyncLocalStorage } from "node:async_hooks";
import { LeaseLost } from "../../shared/db/cleanup-run-store";
import { DomainError } from "../../shared/errors";
import { beginRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { runToCompletion } from "../../shared/use-cases/cleanup/runner";
import { api } from "./api/in-process";
import { type AnyAnswer } from "./api/client";
import { lastActiveAt, settledRun } from "./cleanup-runs";
import { restoresSettled, undoSettled } from "./restores";
import { busy, crash, injectFaults, loseAnswersAfterWrites, transactionConflict } from "./faults";
import { given } from "./given";
import { type TestUser } from "./host";
import { aPostInput } from "./posts";

/** A small seeded generator (mulberry32): the same seed draws the same operations and faults. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FaultRates {
  /** Of TransactWriteItems: cancelled with TransactionConflict before reaching DynamoDB. */
  conflict: number;
  /** Of any request: ThrottlingException (after the SDK's own retries). */
  throttle: number;
  /** Of writes: applied, then the answer is lost (a timeout), so the SDK sends the same request again. */
  lostAnswer: number;
}

/** The faults of one operation: drawn from its own generator; a killed cleanup run also dies after some writes. */
interface FaultScope {
  random: () => number;
  rates: FaultRates;
  killAfterWrites?: number;
  writes: number;
}

const calm: FaultRates = { conflict: 0.06, throttle: 0.03, lostAnswer: 0.03 };
/** Now and then an operation meets a storm: its retries run out (503) and it stops half-way, as in AWS. */
const storm: FaultRates = { conflict: 0.7, throttle: 0.4, lostAnswer: 0.1 };
const WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"]);

export interface ChaosStats {
  seed: number;
  operations: number;
  elapsedMs: number;
  /** Answers by operation and status, e.g. `follow 200`. */
  answers: Record<string, number>;
  faults: { conflicts: number; throttles: number; lostAnswers: number; killedRuns: number };
  cleanupRuns: number;
  /** Undos of runs asked for (contract 1.2), and clock jumps past the grace (runs after them purge). */
  undos: number;
  graceJumps: number;
  /** Answers outside the contract, and anything the operations did not expect. Empty when all is well. */
  violations: string[];
}

export interface ChaosOptions {
  seed: number;
  /**
   * How long operations are drawn (the soak), or how many (the test: the same work whatever the machine's pace,
   * so a busy machine makes it slower, never thinner). Drawing stops at whichever is given and comes first.
   */
  durationMs?: number;
  operations?: number;
  concurrency: number;
  /** Called about once a second while operations run. */
  onProgress?: (stats: ChaosStats) => void;
}

interface Actor {
  user: TestUser;
  kind: "author" | "subscriber" | "free";
}

const CUTOFF = "2025-06-01T00:00:00.000Z";
const IDLE_SINCE = "2025-01-10T08:00:00.000Z";
/** Past a killed run's lease (900 s): the next run takes over, as the cleanup crash tests do. */
const LEASE_EXPIRED_MS = 16 * 60 * 1000;
/** Past the chaos test's DEACTIVATION_GRACE (P30D). */
const GRACE_PASSED_MS = 31 * 24 * 60 * 60 * 1000;

/** Runs random operations (for `durationMs`, or `operations` of them), then settles (no faults) so that the audit may judge the table. */
export async function runChaos(options: ChaosOptions): Promise<ChaosStats> {
  const random = seededRandom(options.seed);
  const stats: ChaosStats = {
    seed: options.seed,
    operations: 0,
    elapsedMs: 0,
    answers: {},
    faults: { conflicts: 0, throttles: 0, lostAnswers: 0, killedRuns: 0 },
    cleanupRuns: 0,
    undos: 0,
    graceJumps: 0,
    violations: [],
  };
  const pick = <T>(list: readonly T[]): T | undefined =>
    list.length === 0 ? undefined : list[Math.floor(random() * list.length)];

  // The world: authors, subscribers (who may comment on free posts), free readers (whom the cleanup may delete).
  const admin = await given.anAdmin();
  const actors: Actor[] = [];
  for (let i = 0; i < 4; i++) actors.push({ user: await given.anAuthor(), kind: "author" });
  for (let i = 0; i < 8; i++) {
    const user = await given.aReader();
    await given.entitlements(admin, user, [{ tier: "plus" }]);
    actors.push({ user, kind: "subscriber" });
  }
  for (let i = 0; i < 8; i++) actors.push({ user: await given.aReader(), kind: "free" });
  const posts: { postId: string; author: Actor }[] = [];
  const comments: { postId: string; commentId: string; writer: Actor }[] = [];
  const unfinishedPostDeletes = new Map<string, Actor>();
  const apiRuns: string[] = [];
  const inProcessRuns: string[] = [];
  const undone = new Set<string>();
  let clockOffsetMs = 0;
  const virtualNow = () => new Date(Date.now() + clockOffsetMs);

  const scope = new AsyncLocalStorage<FaultScope>();
  const faults = injectFaults((command) => {
    const faults = scope.getStore();
    if (!faults) return undefined;
    if (faults.killAfterWrites !== undefined) {
      if (faults.writes >= faults.killAfterWrites) return crash();
      if (WRITES.has(command)) faults.writes++;
    }
    if (command === "TransactWriteItems" && faults.random() < faults.rates.conflict) {
      stats.faults.conflicts++;
      return transactionConflict(1);
    }
    if (faults.random() < faults.rates.throttle) {
      stats.faults.throttles++;
      return busy("ThrottlingException");
    }
    return undefined;
  });
  const lostAnswers = loseAnswersAfterWrites((command) => {
    const faults = scope.getStore();
    if (!faults || !WRITES.has(command) || faults.random() >= faults.rates.lostAnswer) return false;
    stats.faults.lostAnswers++;
    return true;
  });
  const withFaults = <T>(rates: FaultRates, work: () => Promise<T>, killAfterWrites?: number): Promise<T> =>
    scope.run(
      {
        random: seededRandom(Math.floor(random() * 2 ** 32)),
        rates,
        writes: 0,
        ...(killAfterWrites === undefined ? {} : { killAfterWrites }),
      },
      work,
    );

  /** One request as a client makes it: a 503 is tried again (up to 3 times) after its retry-after. */
  async function request<A extends AnyAnswer>(name: string, send: () => Promise<A>): Promise<A | null> {
    const rates = random() < 0.05 ? storm : calm;
    for (let attempt = 0; ; attempt++) {
      let answer: A;
      try {
        answer = await withFaults(rates, send);
      } catch (error) {
        // The answer was outside the OpenAPI document (api.call checks every answer), or the call itself failed.
        stats.violations.push(`${name}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 2000));
        return null;
      }
      const key = `${name} ${answer.status}`;
      stats.answers[key] = (stats.answers[key] ?? 0) + 1;
      if (answer.status >= 500 && answer.status !== 503)
        stats.violations.push(`${name} answered ${answer.status}: ${answer.text.slice(0, 500)}`);
      if (answer.status === 503 && answer.headers["retry-after"] !== "1")
        stats.violations.push(`${name} answered 503 without retry-after: 1`);
      if (answer.status !== 503 || attempt >= 3) return answer;
    }
  }

  async function cleanupInProcess(): Promise<void> {
    const killed = random() < 0.5;
    const killAfter = Math.floor(random() * 12);
    const now = virtualNow();
    stats.cleanupRuns++;
    try {
      const run = await beginRun({ dryRun: false, cutoff: CUTOFF }, now);
      inProcessRuns.push(run.runId);
      const ticket = ticketOf(run);
      const clock = { now: virtualNow, budgetMs: 60_000 };
      await (killed
        ? withFaults({ conflict: 0, throttle: 0, lostAnswer: 0 }, () => runToCompletion(ticket, clock), killAfter)
        : withFaults(calm, () => runToCompletion(ticket, clock)));
    } catch (error) {
      if (error instanceof DomainError && error.code === "cleanup_already_running") return;
      // A jump past the grace makes a run's lease look expired to the next run, which takes it over: the first then
      // loses its lease at its next step, as a run whose lease expired does in AWS.
      const expected =
        (error instanceof Error && error.name === "InjectedCrash") ||
        error instanceof LeaseLost ||
        (error instanceof DomainError && error.code === "unavailable");
      if (!expected) stats.violations.push(`cleanup run: ${error instanceof Error ? error.stack : String(error)}`);
      if (error instanceof Error && error.name === "InjectedCrash") stats.faults.killedRuns++;
      // Its lease may still hold (a dead run cannot release it): later runs take over once it has expired.
      clockOffsetMs += LEASE_EXPIRED_MS;
    }
  }

  const operations: [weight: number, run: () => Promise<unknown>][] = [
    [
      20,
      async () => {
        const [a, b] = [pick(actors)!, pick(actors)!];
        await request("follow", () =>
          api.PUT("/users/{userId}/follow", { path: { userId: b.user.userId }, token: a.user.token }),
        );
      },
    ],
    [
      12,
      async () => {
        const [a, b] = [pick(actors)!, pick(actors)!];
        await request("unfollow", () =>
          api.DELETE("/users/{userId}/follow", { path: { userId: b.user.userId }, token: a.user.token }),
        );
      },
    ],
    [
      8,
      async () => {
        const author = pick(actors.filter((actor) => actor.kind === "author"))!;
        const answer = await request("publish", () =>
          api.POST("/posts", { token: author.user.token, body: aPostInput() }),
        );
        if (answer?.status === 201) posts.push({ postId: answer.data.postId, author });
      },
    ],
    [
      4,
      async () => {
        const post = pick(posts);
        if (!post) return;
        const answer = await request("delete post", () =>
          api.DELETE("/posts/{postId}", { path: { postId: post.postId }, token: post.author.user.token }),
        );
        if (answer?.status === 503) unfinishedPostDeletes.set(post.postId, post.author);
        if (answer?.status === 204) unfinishedPostDeletes.delete(post.postId);
      },
    ],
    [
      15,
      async () => {
        const [writer, post] = [pick(actors.filter((actor) => actor.kind === "subscriber"))!, pick(posts)];
        if (!post) return;
        const answer = await request("comment", () =>
          api.POST("/posts/{postId}/comments", {
            path: { postId: post.postId },
            token: writer.user.token,
            body: { body: "A fair point." },
          }),
        );
        if (answer?.status === 201) comments.push({ postId: post.postId, commentId: answer.data.commentId, writer });
      },
    ],
    [
      6,
      async () => {
        const comment = pick(comments);
        if (!comment) return;
        await request("delete comment", () =>
          api.DELETE("/posts/{postId}/comments/{commentId}", {
            path: { postId: comment.postId, commentId: comment.commentId },
            token: comment.writer.user.token,
          }),
        );
      },
    ],
    [
      8,
      async () => {
        const actor = pick(actors)!;
        const handle = random() < 0.3 ? `h${options.seed % 1000}_${Math.floor(random() * 30)}` : actor.user.handle;
        const answer = await request("put me", () =>
          api.PUT("/me", {
            token: actor.user.token,
            body: { handle, displayName: `Name ${Math.floor(random() * 1000)}` },
          }),
        );
        if (answer && answer.status < 300) actor.user.handle = handle;
      },
    ],
    [
      2,
      async () => {
        const actor = pick(actors.filter((one) => one.kind !== "author" || random() < 0.2))!;
        await request("delete me", () => api.DELETE("/me", { token: actor.user.token }));
      },
    ],
    [
      3,
      async () => {
        const actor = pick(actors.filter((one) => one.kind === "free"))!;
        await lastActiveAt(actor.user, IDLE_SINCE).catch(() => undefined); // gone already: nothing to make idle
      },
    ],
    [2, cleanupInProcess],
    [
      1,
      async () => {
        const answer = await request("start cleanup", () =>
          api.POST("/admin/cleanup-runs", { token: admin.token, body: { cutoff: CUTOFF } }),
        );
        if (answer?.status === 202) apiRuns.push(answer.data.runId);
      },
    ],
    [
      // A sign-in: a deactivated account within its grace comes back (contract 1.2).
      4,
      async () => {
        const actor = pick(actors.filter((one) => one.kind === "free"))!;
        await request("sign in", () => api.GET("/me", { token: actor.user.token }));
      },
    ],
    [
      1,
      async () => {
        const runId = pick([...apiRuns, ...inProcessRuns]);
        if (!runId) return;
        stats.undos++;
        const answer = await request("undo run", () =>
          api.POST("/admin/cleanup-runs/{runId}/restore", { path: { runId }, token: admin.token }),
        );
        if (answer?.status === 202) undone.add(runId);
      },
    ],
    [
      // Now and then the clock moves past the grace: the next runs purge what earlier runs deactivated.
      0.5,
      async () => {
        stats.graceJumps++;
        clockOffsetMs += GRACE_PASSED_MS;
      },
    ],
    [
      6,
      async () => {
        const [reader, other] = [pick(actors)!, pick(actors)!];
        await request("read profile", () => api.GET("/users/{userId}", { path: { userId: other.user.userId } }));
        await request("read feed", () => api.GET("/feed", { token: reader.user.token }));
        const post = pick(posts);
        if (post)
          await request("read comments", () =>
            api.GET("/posts/{postId}/comments", { path: { postId: post.postId }, token: reader.user.token }),
          );
      },
    ],
  ];
  const totalWeight = operations.reduce((sum, [weight]) => sum + weight, 0);
  const drawOperation = () => {
    let draw = random() * totalWeight;
    for (const [weight, run] of operations) if ((draw -= weight) < 0) return run;
    return operations[0]![1];
  };

  const started = Date.now();
  let lastProgress = started;
  try {
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        const drawing = () =>
          Date.now() - started < (options.durationMs ?? Infinity) &&
          stats.operations < (options.operations ?? Infinity);
        while (drawing()) {
          stats.operations++;
          await drawOperation()();
          if (options.onProgress && Date.now() - lastProgress >= 1000) {
            lastProgress = Date.now();
            options.onProgress({ ...stats, elapsedMs: Date.now() - started });
          }
        }
      }),
    );
  } finally {
    faults.stop();
    lostAnswers.stop();
  }
  stats.elapsedMs = Date.now() - started;

  // Settle, without faults: the runs started through the API end, the clients retry the post deletions that
  // answered 503, and one more run finishes every deletion a run or a DELETE /me left half-done.
  for (const runId of apiRuns) await settledRun(admin, runId, 120_000);
  for (const runId of undone) await undoSettled(admin, runId);
  await restoresSettled();
  for (const [postId, author] of unfinishedPostDeletes) {
    const answer = await api.DELETE("/posts/{postId}", { path: { postId }, token: author.user.token });
    if (answer.status !== 204 && answer.status !== 404 && answer.status !== 403)
      stats.violations.push(`retried delete post answered ${answer.status}`);
  }
  clockOffsetMs += LEASE_EXPIRED_MS;
  const final = await beginRun({ dryRun: false, cutoff: CUTOFF }, virtualNow());
  await runToCompletion(ticketOf(final), { now: virtualNow, budgetMs: 60_000 });
  await restoresSettled();
  return stats;
}

/** The figures of a run, one line. */
export function chaosSummary(stats: ChaosStats): string {
  const seconds = stats.elapsedMs / 1000;
  const { conflicts, throttles, lostAnswers, killedRuns } = stats.faults;
  return (
    `seed ${stats.seed}: ${stats.operations} operations in ${seconds.toFixed(1)} s (${(stats.operations / seconds).toFixed(1)} operations/s), ` +
    `faults injected: ${conflicts} conflicts, ${throttles} throttles, ${lostAnswers} answers lost after the write, ${killedRuns} cleanup runs killed ` +
    `(${stats.cleanupRuns} in-process runs, ${stats.undos} undos asked for, ${stats.graceJumps} jumps past the grace)`
  );
}
