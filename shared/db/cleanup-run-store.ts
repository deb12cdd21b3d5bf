import { COUNT_CHANGES_IN_RUN, type CountChange, type Run, type RunStatus, type RunTicket } from "../domain/cleanup";
import {
  countChange,
  fromCleanupRunItem,
  fromRunLeaseItem,
  runUndo,
  toCleanupRunItem,
  toCountChangeItem,
  toRunLeaseItem,
  type StoredRun,
} from "./entities/cleanup-run";
import { toFollowerHistoryPointItem } from "./entities/follower-history-point";
import { runFigures, runFiguresAttributes, type AccountRunFigures } from "./entities/run-tally";
import { cleanupKeys, collections } from "./keys";
import { countItems, queryAll, queryPage } from "./query";
import { ConditionFailed, getItem, unlessConditionFails, updateItem } from "./requests";
import {
  putOf,
  transactWrite,
  TransactionCancelled,
  updateOf,
  deleteOf,
  type TransactItem,
  type TransactItems,
} from "./transactions";

// Cleanup runs: the run records with their count changes, and the one lease that lets one run at a time
// (shared/db/entities/cleanup-run.ts). docs/data-model.md, "Cleanup" and K1-K3, K12.

export class CleanupAlreadyRunning extends Error {}
export class LeaseLost extends Error {}

export interface RunTotals {
  accountsDeleted: number;
  followEdgesDeleted: number;
  commentsAnonymized: number;
  accountsDeactivated: number;
  accountsPurged: number;
  accountsRestored: number;
}

/** What a run counts once per account, from its tallies when it ends (runs before 1.1 count 0). */
export interface NoticeTotals {
  noticesSent: number;
  deletionsDeferred: number;
}

const leaseUntil = (now: Date, leaseSeconds: number) => new Date(now.getTime() + leaseSeconds * 1000).toISOString();

/**
 * Starts a run: takes the lease (only when nobody holds an unexpired one) and creates the run record, in one
 * transaction. Throws CleanupAlreadyRunning while another run holds the lease. A run whose lease expired (it
 * died without releasing it) is marked failed. Answers the new run.
 */
export async function createRunWithLease(ticket: RunTicket, now: Date, leaseSeconds: number): Promise<Run> {
  const startedAt = now.toISOString();
  const held = await getItem(cleanupKeys.lease(), fromRunLeaseItem);
  if (held && held.leaseUntil > startedAt) throw new CleanupAlreadyRunning();
  const run = toCleanupRunItem(ticket, startedAt);
  try {
    await transactWrite([
      // Exactly the lease that was read (or none): two starts racing for one expired lease get one winner.
      putOf(
        toRunLeaseItem(ticket.runId, leaseUntil(now, leaseSeconds)),
        held
          ? {
              ConditionExpression: "runId = :heldBy AND leaseUntil = :heldUntil",
              ExpressionAttributeValues: { ":heldBy": held.runId, ":heldUntil": held.leaseUntil },
            }
          : { ConditionExpression: "attribute_not_exists(pk)" },
      ),
      putOf(run, { ConditionExpression: "attribute_not_exists(pk)" }),
    ]);
  } catch (error) {
    if (error instanceof TransactionCancelled) throw new CleanupAlreadyRunning();
    throw error;
  }
  if (held) await failHolder(held, startedAt);
  const { pk: _pk, sk: _sk, entityType: _entityType, ...started } = run;
  return { ...started, countChanges: [], countChangesTotal: 0 };
}

/** Marks whoever held an expired lease failed: a run, or an undo of a run (the run itself stays as it ended). */
async function failHolder(held: { runId: string; undoId?: string }, at: string): Promise<void> {
  if (held.undoId === undefined) return setRunStatus(held.runId, "failed", at);
  await setUndoStatus(held.runId, held.undoId, "failed", at);
}

/** Marks an undo finished with `status` unless it already is (1 conditional UpdateItem). */
async function setUndoStatus(runId: string, undoId: string, status: RunStatus, finishedAt: string): Promise<void> {
  await unlessConditionFails(updateItem(cleanupKeys.run(runId), undoUpdate(undoId, status, finishedAt)));
}

function undoUpdate(undoId: string, status: RunStatus, finishedAt: string) {
  return {
    UpdateExpression: "SET #undo.#status = :status, #undo.finishedAt = :finishedAt",
    ConditionExpression: "#undo.undoId = :undoId AND #undo.#status = :running",
    ExpressionAttributeNames: { "#status": "status", "#undo": "undo" },
    ExpressionAttributeValues: {
      ":status": status,
      ":finishedAt": finishedAt,
      ":running": "running",
      ":undoId": undoId,
    },
  };
}

/** A run's undo as stored (its ID included), with the run's status: what beginning or resuming an undo decides on. */
export function getRunUndo(runId: string) {
  return getItem(cleanupKeys.run(runId), runUndo.read, runUndo.projection);
}

/**
 * Begins an operator's undo of a run (contract 1.2), in one transaction: the lease (only when nobody holds an
 * unexpired one: the same lock as a run's) naming the run and the undo, and the run's `undo` set running. A run
 * still running, or any lease held, throws CleanupAlreadyRunning. An expired holder is marked failed, as a run's
 * start does.
 */
export async function createUndoWithLease(
  runId: string,
  undoId: string,
  now: Date,
  leaseSeconds: number,
): Promise<void> {
  const startedAt = now.toISOString();
  const held = await getItem(cleanupKeys.lease(), fromRunLeaseItem);
  if (held && held.leaseUntil > startedAt) throw new CleanupAlreadyRunning();
  try {
    await transactWrite([
      putOf(
        toRunLeaseItem(runId, leaseUntil(now, leaseSeconds), undoId),
        held
          ? {
              ConditionExpression: "runId = :heldBy AND leaseUntil = :heldUntil",
              ExpressionAttributeValues: { ":heldBy": held.runId, ":heldUntil": held.leaseUntil },
            }
          : { ConditionExpression: "attribute_not_exists(pk)" },
      ),
      updateOf(cleanupKeys.run(runId), {
        UpdateExpression: "SET #undo = :undo",
        ConditionExpression: "attribute_exists(pk) AND #status <> :running",
        ExpressionAttributeNames: { "#status": "status", "#undo": "undo" },
        ExpressionAttributeValues: { ":undo": { undoId, status: "running", startedAt }, ":running": "running" },
      }),
    ]);
  } catch (error) {
    if (error instanceof TransactionCancelled) throw new CleanupAlreadyRunning();
    throw error;
  }
  // An earlier attempt of this very undo (killed) is resumed, not failed.
  if (held && !(held.runId === runId && held.undoId === undoId)) await failHolder(held, startedAt);
}

/**
 * Ends an undo: its status and finish time, and the release of the lease, in ONE transaction (so the undo leaves
 * `running` exactly when a new run may start); an undo already ended stays as it is.
 */
export async function endUndo(
  runId: string,
  undoId: string,
  status: Exclude<RunStatus, "running">,
  now: Date,
): Promise<void> {
  const update = updateOf(cleanupKeys.run(runId), undoUpdate(undoId, status, now.toISOString()));
  const release = deleteOf(cleanupKeys.lease(), {
    ConditionExpression: "runId = :runId AND undoId = :undoId",
    ExpressionAttributeValues: { ":runId": runId, ":undoId": undoId },
  });
  try {
    await transactWrite([update, release]);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedAt(0)) return;
    try {
      await transactWrite([update]);
    } catch (retryError) {
      if (!(retryError instanceof TransactionCancelled)) throw retryError;
    }
  }
}

/** Marks a run finished with `status` unless it already is (1 conditional UpdateItem). */
async function setRunStatus(runId: string, status: RunStatus, finishedAt: string): Promise<void> {
  const figures = addFigures(await accountFiguresOf(runId));
  await unlessConditionFails(
    updateItem(cleanupKeys.run(runId), {
      UpdateExpression: `SET #status = :status, finishedAt = :finishedAt${figures.add}`,
      ConditionExpression: "#status = :running",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: {
        ":status": status,
        ":finishedAt": finishedAt,
        ":running": "running",
        ...figures.values,
      },
    }),
  );
}

/** Extends the run's lease (every step does); LeaseLost when another run took it over meanwhile. */
export async function renewLease(runId: string, now: Date, leaseSeconds: number): Promise<void> {
  try {
    await updateItem(cleanupKeys.lease(), {
      UpdateExpression: "SET leaseUntil = :until",
      ConditionExpression: "runId = :runId",
      ExpressionAttributeValues: { ":runId": runId, ":until": leaseUntil(now, leaseSeconds) },
    });
  } catch (error) {
    if (error instanceof ConditionFailed) throw new LeaseLost();
    throw error;
  }
}

/**
 * Ends a run: its status and finish time (and its notice totals; for a dry run, its other totals too) and the release of its lease, in ONE
 * transaction, so the run leaves `running` exactly when a new run may start. If the lease is no longer ours
 * (it expired and another run took it), the run is ended alone. A run already ended stays as it is.
 */
export async function endRun(
  runId: string,
  status: Exclude<RunStatus, "running">,
  now: Date,
  totals?: Partial<RunTotals>,
  noticeTotals?: NoticeTotals,
  countChangesTotal?: number,
): Promise<void> {
  const values: Record<string, unknown> = {
    ":status": status,
    ":finishedAt": now.toISOString(),
    ":running": "running",
  };
  let update = "SET #status = :status, finishedAt = :finishedAt";
  if (countChangesTotal !== undefined) {
    update += ", countChangesTotal = :changes";
    values[":changes"] = countChangesTotal;
  }
  if (noticeTotals) {
    update += ", noticesSent = :notices, deletionsDeferred = :deferred";
    Object.assign(values, { ":notices": noticeTotals.noticesSent, ":deferred": noticeTotals.deletionsDeferred });
  }
  for (const [name, value] of Object.entries(totals ?? {})) {
    if (value === undefined) continue;
    update += `, ${name} = :${name}`;
    values[`:${name}`] = value;
  }
  // A real run's account totals: its accounts' figures, summed once as it ends (the update's condition: running).
  const figures = totals ? addFigures({}) : addFigures(await accountFiguresOf(runId));
  Object.assign(values, figures.values);
  const runUpdate = updateOf(cleanupKeys.run(runId), {
    UpdateExpression: update + figures.add,
    ConditionExpression: "#status = :running",
    ExpressionAttributeNames: { "#status": "status" },
    ExpressionAttributeValues: values,
  });
  const release = deleteOf(cleanupKeys.lease(), {
    ConditionExpression: "runId = :runId",
    ExpressionAttributeValues: { ":runId": runId },
  });
  try {
    await transactWrite([runUpdate, release]);
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedAt(0)) return; // ended already (a retried step)
    try {
      await transactWrite([runUpdate]);
    } catch (retryError) {
      if (!(retryError instanceof TransactionCancelled)) throw retryError;
    }
  }
}

/**
 * The transaction item that records what a run did to one account (its `FIGURES#` item: only the figures given are
 * set), in the transaction that did it: so each figure is set once however often a step is retried, and no item is
 * written by every deletion of the run (the run record, summed from these when the run ends).
 */
export function recordRunFigures(runId: string, userId: string, figures: AccountRunFigures): TransactItem {
  const { key, attributes } = runFiguresAttributes(runId, userId, figures, new Date());
  const names = Object.keys(attributes);
  return updateOf(key, {
    UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(", ")}`,
    ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
    ExpressionAttributeValues: Object.fromEntries(names.map((name) => [`:${name}`, attributes[name]])),
  });
}

/**
 * A run's account totals so far: its accounts' `FIGURES#` items summed, and the accounts it deactivated (its
 * `DEACTIVATED#` items, each also a deletion in the totals) counted: 2 Queries in parallel, each 1 per 1 MB.
 */
async function accountFiguresOf(runId: string): Promise<Required<AccountRunFigures>> {
  const [all, deactivated] = await Promise.all([
    queryAll(collections.runFigures(runId), runFigures.read, { projection: runFigures.projection }),
    countItems(collections.deactivatedBy(runId)),
  ]);
  const sum: Required<AccountRunFigures> = {
    accountsDeleted: deactivated,
    followEdgesDeleted: 0,
    commentsAnonymized: 0,
    accountsDeactivated: deactivated,
    accountsPurged: 0,
  };
  for (const figures of all) {
    for (const name of Object.keys(sum) as (keyof AccountRunFigures)[]) sum[name] += figures[name];
  }
  return sum;
}

/** An update's `ADD` of account totals (none when all are 0), and its values. */
function addFigures(figures: AccountRunFigures): { add: string; values: Record<string, number> } {
  const given = Object.entries(figures).filter(([, value]) => value !== undefined && value !== 0);
  return {
    add: given.length === 0 ? "" : ` ADD ${given.map(([name]) => `${name} :add_${name}`).join(", ")}`,
    values: Object.fromEntries(given.map(([name, value]) => [`:add_${name}`, value as number])),
  };
}

/** The transaction item that adds figures to a run's totals (a restore's, counted on the run it undoes). */
export function addToRunTotals(runId: string, totals: Partial<RunTotals>): TransactItem {
  const figures = Object.entries(totals).filter(([, value]) => value !== undefined);
  return updateOf(cleanupKeys.run(runId), {
    UpdateExpression: `ADD ${figures.map(([name]) => `${name} :${name}`).join(", ")}`,
    ConditionExpression: "attribute_exists(pk)",
    ExpressionAttributeValues: Object.fromEntries(figures.map(([name, value]) => [`:${name}`, value])),
  });
}

/** How many count changes a run made: a `Select: COUNT` Query (1 per 1 MB of changes, ≈ 10,000). */
export function countCountChanges(runId: string): Promise<number> {
  return countItems(collections.countChangesOf(runId));
}

/**
 * A run as the API shows it: its first COUNT_CHANGES_IN_RUN count changes by user ID (1 Query of one more, so that
 * it knows whether there are others), and their number: stored at the run's end, known from that Query when it
 * read them all, else counted (a run under way, or one stored before 1.2 with more than 100 changes).
 */
async function withCountChanges(run: StoredRun, firstChanges?: Promise<CountChange[]>): Promise<Run> {
  // A real run under way: its account totals so far are its accounts' figures (added to its record as it ends).
  if (run.status === "running" && !run.dryRun) {
    const [changed, figures] = await Promise.all([
      firstChanges ?? firstCountChanges(run.runId),
      accountFiguresOf(run.runId),
    ]);
    for (const name of Object.keys(figures) as (keyof AccountRunFigures)[])
      run = { ...run, [name]: run[name] + figures[name] };
    firstChanges = Promise.resolve(changed);
  }
  const changes = await (firstChanges ?? firstCountChanges(run.runId));
  const countChanges = changes.slice(0, COUNT_CHANGES_IN_RUN);
  const countChangesTotal =
    run.countChangesTotal ??
    (changes.length <= COUNT_CHANGES_IN_RUN ? changes.length : await countCountChanges(run.runId));
  return { ...run, countChanges, countChangesTotal };
}

async function firstCountChanges(runId: string): Promise<CountChange[]> {
  const page = await queryPage(collections.countChangesOf(runId), countChange.read, {
    limit: COUNT_CHANGES_IN_RUN + 1,
    projection: countChange.projection,
  });
  return page.items;
}

/** One run with its first count changes (GetItem, then Query of its changes, in parallel), or null. */
export async function getRun(runId: string): Promise<Run | null> {
  const changes = firstCountChanges(runId);
  const run = await getItem(cleanupKeys.run(runId), fromCleanupRunItem);
  if (!run) {
    await changes.catch(() => undefined);
    return null;
  }
  return withCountChanges(run, changes);
}

/** Whether a run exists (1 GetItem of its record). */
export async function runExists(runId: string): Promise<boolean> {
  return (await getItem(cleanupKeys.run(runId), fromCleanupRunItem)) !== null;
}

/** A page of runs, newest first (1 Query), each with its first count changes (1 Query per run, in parallel). */
export async function listRuns(limit: number, after?: string): Promise<{ runs: Run[]; nextAfter: string | null }> {
  const page = await queryPage(collections.cleanupRuns(), fromCleanupRunItem, {
    newestFirst: true,
    limit: limit + 1,
    ...(after ? { startAfter: cleanupKeys.run(after) } : {}),
  });
  const runs = await Promise.all(page.items.slice(0, limit).map((run) => withCountChanges(run)));
  return { runs, nextAfter: page.items.length > limit ? runs.at(-1)!.runId : null };
}

/**
 * A page of a run's count changes by user ID, after `afterUserId` (1 Query of limit + 1: one more tells whether
 * the list goes on). A run without changes, or an unknown one, reads as an empty list.
 */
export async function countChangesPage(
  runId: string,
  limit: number,
  afterUserId?: string,
): Promise<{ changes: CountChange[]; nextAfter: string | null }> {
  const page = await queryPage(collections.countChangesOf(runId), countChange.read, {
    limit: limit + 1,
    projection: countChange.projection,
    ...(afterUserId === undefined ? {} : { startAfter: cleanupKeys.countChange(runId, afterUserId) }),
  });
  const changes = page.items.slice(0, limit);
  return { changes, nextAfter: page.items.length > limit ? changes.at(-1)!.userId : null };
}

/**
 * Records a recount's outcome for a run: the count change, and (for a real run) the account's follower
 * history point, as transaction items to join the recount's own transaction.
 */
export function recordCountChange(
  runId: string,
  change: CountChange,
  at: string,
  addHistoryPoint: boolean,
): TransactItems {
  return [
    putOf(toCountChangeItem(runId, change)),
    ...(addHistoryPoint ? [putOf(toFollowerHistoryPointItem(runId, change, at, "inactive_accounts_deleted"))] : []),
  ];
}
