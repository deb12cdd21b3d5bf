// The ordering harness (docs/data-model.md, "The ordering harness"): operations that race in production run through
// the request gate (./request-gate.ts), which releases their DynamoDB requests one at a time in an order the
// explorer chooses, on a fresh world each time, and each ordering is checked by an oracle (the audit's checker on the
// world, and what the API answered). `everyOrdering` walks every ordering (a depth-first search over the decisions);
// `sampledOrderings` draws a seeded sample with fast-check for pairs too large to walk. A failing ordering is printed
// with its trace and a REPLAY_ORDERING value that runs exactly it again.
//
// The decisions are the requests that touch a partition another operation touches too; the other requests read or
// write only what their own operation touches, commute with every request of the others, and go at once (a
// partial-order reduction). Which partitions are shared is learnt first, by running the operations one after
// another, each first once (those runs are checked like the others); GATE_EVERY_REQUEST=1 holds every request.
import fc from "fast-check";
import { expect } from "vitest";
import { runOrdering, type Chooser, type GatedRequest, type TraceEntry } from "./request-gate";

export interface OrderingOutcome {
  /** Each operation's result or error. */
  results: Record<string, { value?: unknown; error?: unknown }>;
  /** Every request, in the order sent, as the world names its IDs. */
  trace: TraceEntry[];
  /** Whose request went next at each decision. */
  decisions: string[];
}

export interface OrderingTest<W> {
  /** Names the exploration in its output and in REPLAY_ORDERING. */
  name: string;
  /** A fresh world for one ordering (its requests are not gated). */
  setup(): Promise<W>;
  /** The world's IDs and what to call them, so that orderings on different worlds compare (and print) alike. */
  names(world: W): Record<string, string>;
  /**
   * What must happen right before the operations, after the ordering before this one ended (not made ahead like the
   * world, and not gated): a run's lease, say, which one ordering at a time may hold.
   */
  before?(world: W): Promise<void>;
  /** The operations that race, by name. */
  operations(world: W): Record<string, () => Promise<unknown>>;
  /** The oracle: throws when the ordering left something wrong. */
  check(world: W, outcome: OrderingOutcome): Promise<void>;
  /** Undoes what a world made ahead but never used planted (damage the audit would find); default: nothing. */
  discard?(world: W): Promise<void>;
}

export interface ExplorationReport {
  /** Orderings run and checked (the learning runs included). */
  orderings: number;
  /** Distinct orderings among them. */
  distinct: number;
  /** Whether every ordering was run (a depth-first search that ended), or a sample. */
  every: boolean;
  /** The partitions the decisions are about, as the world names them. */
  shared: string[];
  /** One ordering replayed (REPLAY_ORDERING), not an exploration. */
  replayed?: boolean;
}

/** An error as a line of a report. */
export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error);

/** Replaces the world's IDs in a partition key by their names. */
function naming(names: Record<string, string>): (pk: string) => string {
  const ids = Object.keys(names).sort((a, b) => b.length - a.length);
  return (pk) => ids.reduce((named, id) => named.split(id).join(`<${names[id]}>`), pk);
}

const describeTrace = (trace: readonly TraceEntry[]): string =>
  trace
    .map(
      (entry, i) =>
        `  ${String(i + 1).padStart(3)}. ${entry.held ? "*" : " "} ${entry.operation}: ${entry.command} ${entry.partitions.join(" ")}${entry.outcome === "ok" ? "" : ` -> ${entry.outcome}`}`,
    )
    .join("\n");

/** One ordering on a fresh world, checked; `choose` makes the decisions. Throws with the ordering when it fails. */
async function runChecked<W>(
  test: OrderingTest<W>,
  holds: (name: (pk: string) => string) => (request: GatedRequest) => boolean,
  choose: Chooser | { oneAfterAnother: string[] },
  worlds: Worlds<W>,
): Promise<OrderingOutcome & { named: (pk: string) => string }> {
  const started = performance.now();
  const world = await worlds.next();
  timing.setup += performance.now() - started;
  const named = naming(test.names(world));
  await test.before?.(world);
  const decisions: string[] = [];
  const ran = performance.now();
  const { results, trace } = await runOrdering(
    test.operations(world),
    holds(named),
    typeof choose === "function"
      ? (waiting, heads) => {
          const pick = choose(waiting, heads);
          decisions.push(pick);
          return pick;
        }
      : choose,
  );
  timing.run += performance.now() - ran;
  if (process.env.ORDERINGS_DEBUG) {
    console.log(`[orderings] ${test.name}: ${decisions.join(",")} in ${(performance.now() - ran).toFixed(0)} ms`);
  }
  const checked = performance.now();
  const namedTrace = trace.map((entry) => ({ ...entry, partitions: entry.partitions.map(named) }));
  const outcome = { results, trace: namedTrace, decisions };
  try {
    await test.check(world, outcome);
  } catch (error) {
    const failures = Object.entries(results)
      .filter(([, result]) => result.error !== undefined)
      .map(([name, result]) => `  ${name} threw: ${describeError(result.error)}`);
    throw new Error(
      [
        `${test.name}: the ordering ${decisions.join(",") || "(no decision)"} failed: ${describeError(error)}`,
        ...failures,
        "Requests in the order sent (* = held for a decision):",
        describeTrace(namedTrace),
        `Replay it alone: REPLAY_ORDERING='${test.name}=${decisions.join(",")}'`,
      ].join("\n"),
      { cause: error },
    );
  }
  timing.check += performance.now() - checked;
  return { ...outcome, named };
}

/**
 * Fresh worlds, each made while the ordering before it runs (a world's setup writes only its own new items, so it
 * cannot change what an ordering on another world does, only how fast).
 */
class Worlds<W> {
  private upcoming: Promise<W> | undefined;
  constructor(
    private readonly setup: () => Promise<W>,
    private readonly discard: (world: W) => Promise<void> = async () => {},
  ) {}
  /** The world the next ordering gets (made now when none is on its way). */
  peek(): Promise<W> {
    this.upcoming ??= this.setup();
    return this.upcoming;
  }
  next(): Promise<W> {
    const world = this.upcoming ?? this.setup();
    this.upcoming = this.setup();
    // A world made ahead that is never used is left as it is; its failure surfaces when it is used.
    this.upcoming.catch(() => {});
    return world;
  }
  /** The world made ahead, once no ordering needs it: finished and discarded, so that nothing of it runs on. */
  async done(): Promise<void> {
    const unused = await this.upcoming?.catch(() => undefined);
    this.upcoming = undefined;
    if (unused !== undefined) await this.discard(unused);
  }
}

/** Where an exploration's time went (printed with its report). */
const timing = { setup: 0, run: 0, check: 0 };

const everyRequest = process.env.GATE_EVERY_REQUEST === "1";

/**
 * The partitions two operations share, learnt from runs of the operations one after another (each operation first
 * once, each started when the one before it ended); answers them and how many runs it took.
 */
async function learnShared<W>(
  test: OrderingTest<W>,
  worlds: Worlds<W>,
): Promise<{ shared: Set<string>; runs: number }> {
  const touched = new Map<string, Set<string>>();
  const names = Object.keys(test.operations(await worlds.peek()));
  for (let first = 0; first < names.length; first++) {
    const order = [...names.slice(first), ...names.slice(0, first)];
    // Started one after another (not held at the gate while the others run: their Lambda deadlines run meanwhile).
    const outcome = await runChecked(test, () => () => false, { oneAfterAnother: order }, worlds);
    for (const entry of outcome.trace) {
      for (const pk of entry.partitions) {
        if (!touched.has(pk)) touched.set(pk, new Set());
        touched.get(pk)!.add(entry.operation);
      }
    }
  }
  const shared = new Set([...touched].filter(([, by]) => by.size > 1).map(([pk]) => pk));
  return { shared, runs: names.length };
}

const holding =
  (shared: Set<string>) =>
  (named: (pk: string) => string) =>
  (request: GatedRequest): boolean =>
    everyRequest || request.partitions.some((pk) => pk === "*" || shared.has(named(pk)));

/** REPLAY_ORDERING=`<name>=<op>,<op>,...`: runs that one ordering of that exploration (and prints its trace). */
async function replayed<W>(
  test: OrderingTest<W>,
  shared: Set<string>,
  worlds: Worlds<W>,
): Promise<ExplorationReport | null> {
  const replay = process.env.REPLAY_ORDERING;
  if (!replay?.startsWith(`${test.name}=`)) return null;
  const decisions = replay
    .slice(test.name.length + 1)
    .split(",")
    .filter(Boolean);
  let next = 0;
  const outcome = await runChecked(
    test,
    holding(shared),
    (waiting) => {
      const wanted = decisions[next++];
      return wanted && waiting.includes(wanted) ? wanted : waiting[0]!;
    },
    worlds,
  );
  console.log(`[orderings] ${test.name}: replayed ${outcome.decisions.join(",")}\n${describeTrace(outcome.trace)}`);
  return { orderings: 1, distinct: 1, every: false, shared: [...shared], replayed: true };
}

function report(test: OrderingTest<unknown>, result: ExplorationReport, learning: number): ExplorationReport {
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  console.log(
    `[orderings] ${test.name}: setup ${seconds(timing.setup)} s, orderings ${seconds(timing.run)} s, checks ${seconds(timing.check)} s`,
  );
  Object.assign(timing, { setup: 0, run: 0, check: 0 });
  console.log(
    `[orderings] ${test.name}: ${result.orderings} orderings run (${result.distinct} distinct, ${
      result.every ? "every ordering, but one of each set that differ only by requests that commute" : "a seeded sample"
    }; ${learning} of them one operation after another, to learn the shared partitions ${result.shared.join(" ")})`,
  );
  return result;
}

/**
 * Runs every ordering of the operations' requests on shared partitions (a depth-first search over the decisions),
 * each on a fresh world and checked. Fails when there are more than `max` (sample them instead), or when an
 * ordering does not replay as it first ran (the operations depend on something besides the order of requests).
 */
async function everyOrdering<W>(
  test: OrderingTest<W>,
  max = Number(process.env.ORDERINGS_MAX ?? 400),
): Promise<ExplorationReport> {
  const worlds = new Worlds(() => test.setup(), test.discard?.bind(test));
  try {
    return await walkEveryOrdering(test, max, worlds);
  } finally {
    await worlds.done();
  }
}

const READS = new Set(["GetItem", "BatchGetItem", "Query", "Scan"]);

/**
 * Whether two requests of different operations commute: both only read, or they touch no partition in common. Two
 * orderings that differ only by the order of such a pair leave the same state and answers (DynamoDB applies each
 * request to its items alone), so one of them stands for both.
 */
function independent(a: GatedRequest, b: GatedRequest): boolean {
  if (READS.has(a.command) && READS.has(b.command)) return true;
  return !a.partitions.some((pk) => pk === "*" || b.partitions.includes(pk)) && !b.partitions.includes("*");
}

/** A decision of the depth-first search: what was waiting, what this path chose, what is explored or asleep. */
interface Frame {
  options: string[];
  heads: Record<string, GatedRequest>;
  /** Operations not to choose here: an equivalent ordering choosing them is explored elsewhere (sleep sets). */
  sleep: Set<string>;
  /** Choices explored already at this decision, the current one last. */
  explored: string[];
}

async function walkEveryOrdering<W>(test: OrderingTest<W>, max: number, worlds: Worlds<W>): Promise<ExplorationReport> {
  const { shared, runs: learning } = await learnShared(test, worlds);
  const replay = await replayed(test, shared, worlds);
  if (replay) return replay;
  const stack: Frame[] = [];
  const seen = new Set<string>();
  let orderings = learning;
  let redundant = 0;
  do {
    let depth = 0;
    let blocked = false;
    const outcome = await runChecked(
      test,
      holding(shared),
      (waiting, heads) => {
        if (blocked) return waiting[0]!;
        let frame = stack[depth];
        if (frame && frame.options.join() !== waiting.join()) {
          throw new Error(
            `${test.name}: decision ${depth} did not replay (${frame.options.join(",")} then, ${waiting.join(",")} now)`,
          );
        }
        if (!frame) {
          // Asleep here: what the decision above left asleep or explored before its choice, if it commutes with it.
          const parent = stack[depth - 1];
          const sleep = new Set<string>();
          if (parent) {
            const chosen = parent.explored.at(-1)!;
            for (const name of [...parent.sleep, ...parent.explored.slice(0, -1)]) {
              if (waiting.includes(name) && independent(parent.heads[name]!, parent.heads[chosen]!)) sleep.add(name);
            }
          }
          const first = waiting.find((name) => !sleep.has(name));
          if (first === undefined) {
            // Every choice here is asleep: this ordering is equivalent to one explored; run it to its end only.
            blocked = true;
            return waiting[0]!;
          }
          frame = { options: waiting, heads, sleep, explored: [first] };
          stack.push(frame);
        }
        depth++;
        return frame.explored.at(-1)!;
      },
      worlds,
    );
    if (!blocked && depth !== stack.length)
      throw new Error(`${test.name}: ${outcome.decisions.join(",")} did not replay to its end`);
    orderings++;
    if (blocked) redundant++;
    else seen.add(outcome.decisions.join());
    if (orderings > max + learning) throw new Error(`${test.name}: more than ${max} orderings; sample them`);
    // The deepest decision with a choice left (neither explored nor asleep) takes it; the path below it is new.
    while (stack.length > 0) {
      const frame = stack.at(-1)!;
      const next = frame.options.find((name) => !frame.sleep.has(name) && !frame.explored.includes(name));
      if (next !== undefined) {
        frame.explored.push(next);
        break;
      }
      stack.pop();
    }
  } while (stack.length > 0);
  if (redundant > 0) console.log(`[orderings] ${test.name}: ${redundant} runs found equivalent to one explored`);
  return report(test, { orderings, distinct: seen.size, every: true, shared: [...shared] }, learning);
}

/**
 * Runs `runs` orderings drawn by fast-check from `seed` (each decision an index into the operations waiting), each
 * on a fresh world and checked. The first failure ends it, printed with its ordering and how to replay it.
 */
async function sampledOrderings<W>(
  test: OrderingTest<W>,
  options: { runs: number; seed: number },
): Promise<ExplorationReport> {
  const worlds = new Worlds(() => test.setup(), test.discard?.bind(test));
  try {
    return await drawOrderings(test, options, worlds);
  } finally {
    await worlds.done();
  }
}

async function drawOrderings<W>(
  test: OrderingTest<W>,
  options: { runs: number; seed: number },
  worlds: Worlds<W>,
): Promise<ExplorationReport> {
  const { shared, runs: learning } = await learnShared(test, worlds);
  const replay = await replayed(test, shared, worlds);
  if (replay) return replay;
  const seen = new Set<string>();
  await fc.assert(
    // Without fast-check's bias to small values (which would choose the first operation waiting most of the time).
    fc.asyncProperty(fc.noBias(fc.array(fc.nat(), { minLength: 64, maxLength: 64 })), async (picks) => {
      let next = 0;
      const outcome = await runChecked(
        test,
        holding(shared),
        (waiting) => waiting[picks[next++ % 64]! % waiting.length]!,
        worlds,
      );
      seen.add(outcome.decisions.join());
    }),
    { seed: options.seed, numRuns: options.runs, endOnFailure: true },
  );
  return report(
    test,
    { orderings: learning + options.runs, distinct: seen.size, every: false, shared: [...shared] },
    learning,
  );
}

/** How a test explores: every ordering (small pairs), or a seeded sample of `sample` of them. */
export type Exploring = "every" | { sample: number };

/**
 * How a race is explored: `full` in the deep run (`ORDERINGS=deep`), `suite` (default: `full`) in npm test, where
 * the harness shares a busy 2-core machine with every other file: a seeded sample of a race whose every ordering
 * takes too long there.
 */
export interface Plan {
  full: Exploring;
  suite?: Exploring;
}

/** The seed of every sample (ORDERINGS_SEED; fixed by default, so a run is repeatable). */
const orderingsSeed = Number(process.env.ORDERINGS_SEED ?? 19);

/** Whether this is the deep run (`ORDERINGS=deep`): every race explored as its plan's `full` says. */
const deepRun = process.env.ORDERINGS === "deep";

const asPlan = (how: Exploring | Plan): Plan => (how === "every" || "sample" in how ? { full: how } : how);

/** What a plan explores in this run. */
const planned = (how: Exploring | Plan): Exploring => {
  const plan = asPlan(how);
  return deepRun ? plan.full : (plan.suite ?? plan.full);
};

/** Explores as `how` says (in this run: npm test, or the deep run). */
export function explore<W>(how: Exploring | Plan, test: OrderingTest<W>): Promise<ExplorationReport> {
  const now = planned(how);
  return now === "every" ? everyOrdering(test) : sampledOrderings(test, { runs: now.sample, seed: orderingsSeed });
}

const described = (how: Exploring): string => (how === "every" ? "every ordering" : `a seeded sample of ${how.sample}`);

/** How a test's name says it explores (in this run, and in the deep run when that differs). */
export function exploring(how: Exploring | Plan): string {
  const plan = asPlan(how);
  const now = planned(plan);
  return now === plan.full || deepRun
    ? described(now)
    : `${described(now)}; ${described(plan.full)} with ORDERINGS=deep`;
}

/**
 * The exploration explored more than one way: over two orderings when it walked every one, over one in a sample
 * (a small one may draw an ordering twice); a replay runs one ordering on purpose.
 */
export function expectExplored(report: ExplorationReport): void {
  if (!report.replayed) expect(report.distinct, "distinct orderings explored").toBeGreaterThan(report.every ? 2 : 1);
}
