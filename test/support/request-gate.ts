// The ordering harness's gate: an SDK middleware on the shared DynamoDB client (shared/db/client.ts) that holds
// each request of the operations under test until the scheduler releases it. Each operation runs in an
// AsyncLocalStorage context that names it, so the gate knows which operation a request belongs to; requests made
// outside an operation (a test's setup, its oracle) pass untouched. The scheduler releases one request at a time, and
// only once every operation has either finished or is waiting at the gate (settled): so an ordering is a sequence of
// decisions "which operation's request goes next", deterministic and replayable. docs/data-model.md, "The ordering
// harness"; the explorer (every ordering, or a seeded sample) is ./orderings.ts.
import { AsyncLocalStorage } from "node:async_hooks";
import { afterAll, beforeAll } from "vitest";
import { randomUUID } from "node:crypto";
import { dynamoDb } from "../../shared/db/client";

/** A request as the gate sees it: its operation, its command and the partitions (pk values) it reads or writes. */
export interface GatedRequest {
  operation: string;
  command: string;
  partitions: string[];
}

/** What the gate let through, in order: whether it was held for a decision, and how DynamoDB answered. */
export interface TraceEntry extends GatedRequest {
  held: boolean;
  /** `ok`, or the name of the error DynamoDB answered (a cancelled transaction, a failed condition). */
  outcome: string;
}

/**
 * A decision: whose request goes next, among the operations waiting (in the order given), knowing the request each
 * of them waits with.
 */
export type Chooser = (waiting: string[], heads: Record<string, GatedRequest>) => string;

const operationOf = new AsyncLocalStorage<string>();

/** Runs `work` as operation `name`: every DynamoDB request it makes, however deep, belongs to that operation. */
const asOperation = <T>(name: string, work: () => Promise<T>): Promise<T> => operationOf.run(name, work);

const text = (value: unknown): string | undefined =>
  typeof value === "string"
    ? value
    : typeof value === "object" && value !== null && typeof (value as { S?: unknown }).S === "string"
      ? (value as { S: string }).S
      : undefined;

const pkOf = (record: unknown): string | undefined =>
  typeof record === "object" && record !== null ? text((record as { pk?: unknown }).pk) : undefined;

/** The partitions a request reads or writes (`*`: all of them, a Scan; `index:<name>`: a GSI read). */
function partitionsOf(command: string, input: Record<string, unknown>): string[] {
  const found = new Set<string>();
  const add = (pk: string | undefined) => pk !== undefined && found.add(pk);
  if (command === "Scan") return ["*"];
  if (command === "Query") {
    if (typeof input.IndexName === "string") return [`index:${input.IndexName}`];
    add(text((input.ExpressionAttributeValues as Record<string, unknown> | undefined)?.[":pk"]));
  }
  add(pkOf(input.Key));
  add(pkOf(input.Item));
  for (const item of (input.TransactItems as Record<string, { Key?: unknown; Item?: unknown }>[] | undefined) ?? []) {
    for (const action of Object.values(item)) {
      add(pkOf(action.Key));
      add(pkOf(action.Item));
    }
  }
  for (const entries of Object.values((input.RequestItems as Record<string, unknown> | undefined) ?? {})) {
    if (Array.isArray(entries)) {
      for (const entry of entries as { PutRequest?: { Item?: unknown }; DeleteRequest?: { Key?: unknown } }[]) {
        add(pkOf(entry.PutRequest?.Item));
        add(pkOf(entry.DeleteRequest?.Key));
      }
    } else {
      for (const key of (entries as { Keys?: unknown[] }).Keys ?? []) add(pkOf(key));
    }
  }
  return [...found];
}

interface Waiting {
  request: GatedRequest;
  release: () => void;
}

interface OperationState {
  finished: boolean;
  waiting: Waiting[];
}

/**
 * One ordering's session: the operations it runs, the requests waiting at the gate, those in flight. `holds` says
 * which requests wait for a decision; the others go at once (they touch nothing another operation touches).
 */
class Session {
  readonly trace: TraceEntry[] = [];
  private readonly operations = new Map<string, OperationState>();
  private inFlight = 0;
  private wake: (() => void) | undefined;

  constructor(private readonly holds: (request: GatedRequest) => boolean) {}

  private changed(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private nextChange(timeoutMs: number, what: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the ordering did not settle: ${what()}`)), timeoutMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** The gate's middleware calls this for a request of one of this session's operations; resolves when it may go. */
  async pass(request: GatedRequest, send: () => Promise<unknown>): Promise<unknown> {
    const state = this.operations.get(request.operation);
    if (!state) return send();
    const held = this.holds(request);
    if (held) {
      await new Promise<void>((release) => {
        state.waiting.push({ request, release });
        this.changed();
      });
    }
    this.inFlight++;
    const entry: TraceEntry = { ...request, held, outcome: "ok" };
    this.trace.push(entry);
    try {
      return await send();
    } catch (error) {
      entry.outcome = error instanceof Error ? error.name : "error";
      throw error;
    } finally {
      this.inFlight--;
      this.changed();
    }
  }

  /** Settled: nothing in flight, and every operation finished or waiting at the gate. */
  private settled(): boolean {
    return this.inFlight === 0 && [...this.operations.values()].every((op) => op.finished || op.waiting.length > 0);
  }

  /**
   * Runs the operations to their end, releasing one waiting request at a time: when more than one operation
   * waits, `choose` picks whose (among their names, in the order given); answers each operation's result.
   */
  async run(
    operations: Record<string, () => Promise<unknown>>,
    choose: Chooser | { oneAfterAnother: string[] },
  ): Promise<Record<string, { value?: unknown; error?: unknown }>> {
    const names = Object.keys(operations);
    for (const name of names) this.operations.set(name, { finished: false, waiting: [] });
    const results: Record<string, { value?: unknown; error?: unknown }> = {};
    if (typeof choose !== "function") {
      // Each operation starts when the one before it has finished, none held: so an operation (a Lambda invocation
      // with its deadline, shared/deadline.ts) never waits at the gate for another's requests before its turn.
      for (const name of choose.oneAfterAnother) {
        await asOperation(name, operations[name]!).then(
          (value) => void (results[name] = { value }),
          (error: unknown) => void (results[name] = { error }),
        );
        this.operations.get(name)!.finished = true;
      }
      return results;
    }
    const running = names.map((name) =>
      asOperation(name, operations[name]!)
        .then(
          (value) => void (results[name] = { value }),
          (error: unknown) => void (results[name] = { error }),
        )
        .finally(() => {
          this.operations.get(name)!.finished = true;
          this.changed();
        }),
    );
    const describe = () =>
      names.map((name) => `${name}: ${this.operations.get(name)!.finished ? "finished" : "running"}`).join(", ") +
      `, ${this.inFlight} in flight`;
    for (;;) {
      while (!this.settled()) await this.nextChange(20_000, describe);
      const waiting = names.filter((name) => this.operations.get(name)!.waiting.length > 0);
      if (waiting.length === 0) break;
      const heads = Object.fromEntries(waiting.map((name) => [name, this.operations.get(name)!.waiting[0]!.request]));
      const name = waiting.length === 1 ? waiting[0]! : choose(waiting, heads);
      this.operations.get(name)!.waiting.shift()!.release();
      // Until what was released has been answered: it is not in flight yet, so `settled` would hold at once.
      await this.nextChange(20_000, describe);
    }
    await Promise.all(running);
    return results;
  }
}

let current: Session | undefined;
let installed: string | undefined;

/** Installs the gate on the shared client (once per test file): every ordering's session goes through it. */
/** The gate for a whole test file: installed before its first test, taken off after its last. */
export function useRequestGate(): void {
  let uninstall = () => {};
  beforeAll(() => {
    uninstall = installRequestGate();
  });
  afterAll(() => uninstall());
}

function installRequestGate(): () => void {
  if (!installed) {
    installed = `request-gate-${randomUUID()}`;
    dynamoDb.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = operationOf.getStore();
        const session = current;
        if (!operation || !session) return next(args);
        const command = String(context.commandName ?? "").replace(/Command$/, "");
        const request = {
          operation,
          command,
          partitions: partitionsOf(command, args.input as Record<string, unknown>),
        };
        return (await session.pass(request, () => next(args))) as Awaited<ReturnType<typeof next>>;
      },
      { step: "initialize", name: installed },
    );
  }
  const name = installed;
  return () => {
    dynamoDb.middlewareStack.remove(name);
    installed = undefined;
  };
}

/**
 * Runs one ordering of `operations` through the gate: `holds` names the requests that wait for a decision,
 * `choose` makes each decision (or `oneAfterAnother` runs them in that order, each started when the one before ended). Answers the operations' results and the trace of every request, in the order sent.
 */
export async function runOrdering(
  operations: Record<string, () => Promise<unknown>>,
  holds: (request: GatedRequest) => boolean,
  choose: Chooser | { oneAfterAnother: string[] },
): Promise<{ results: Record<string, { value?: unknown; error?: unknown }>; trace: TraceEntry[] }> {
  if (!installed) throw new Error("installRequestGate() first");
  if (current) throw new Error("one ordering at a time");
  const session = new Session(holds);
  current = session;
  try {
    const results = await session.run(operations, choose);
    return { results, trace: session.trace };
  } finally {
    current = undefined;
  }
}
