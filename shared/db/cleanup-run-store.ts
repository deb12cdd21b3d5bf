import type { CountChange, Run, RunStatus, RunTicket } from "../domain/cleanup";
import {
  countChange,
  fromCleanupRunItem,
  fromRunLeaseItem,
  toCleanupRunItem,
  toCountChangeItem,
  toRunLeaseItem,
} from "./entities/cleanup-run";
import { toFollowerHistoryPointItem } from "./entities/follower-history-point";
import { cleanupKeys, collections } from "./keys";
import { queryAll, queryPage } from "./query";
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
class LeaseLost extends Error {}

export interface RunTotals {
  accountsDeleted: number;
  followEdgesDeleted: number;
  commentsAnonymized: number;
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
  if (held) await setRunStatus(held.runId, "failed", startedAt);
  const { pk: _pk, sk: _sk, entityType: _entityType, ...started } = run;
  return { ...started, countChanges: [] };
}

/** Marks a run finished with `status` unless it already is (1 conditional UpdateItem). */
async function setRunStatus(runId: string, status: RunStatus, finishedAt: string): Promise<void> {
  await unlessConditionFails(
    updateItem(cleanupKeys.run(runId), {
      UpdateExpression: "SET #status = :status, finishedAt = :finishedAt",
      ConditionExpression: "#status = :running",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: { ":status": status, ":finishedAt": finishedAt, ":running": "running" },
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
  totals?: RunTotals,
  noticeTotals?: NoticeTotals,
): Promise<void> {
  const values: Record<string, unknown> = {
    ":status": status,
    ":finishedAt": now.toISOString(),
    ":running": "running",
  };
  let update = "SET #status = :status, finishedAt = :finishedAt";
  if (noticeTotals) {
    update += ", noticesSent = :notices, deletionsDeferred = :deferred";
    Object.assign(values, { ":notices": noticeTotals.noticesSent, ":deferred": noticeTotals.deletionsDeferred });
  }
  if (totals) {
    update += ", accountsDeleted = :accounts, followEdgesDeleted = :edges, commentsAnonymized = :comments";
    Object.assign(values, {
      ":accounts": totals.accountsDeleted,
      ":edges": totals.followEdgesDeleted,
      ":comments": totals.commentsAnonymized,
    });
  }
  const runUpdate = updateOf(cleanupKeys.run(runId), {
    UpdateExpression: update,
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

/** The transaction item that adds one deleted account's figures to its run's totals. */
export function addToRunTotals(runId: string, totals: RunTotals): TransactItem {
  return updateOf(cleanupKeys.run(runId), {
    UpdateExpression: "ADD accountsDeleted :accounts, followEdgesDeleted :edges, commentsAnonymized :comments",
    ConditionExpression: "attribute_exists(pk)",
    ExpressionAttributeValues: {
      ":accounts": totals.accountsDeleted,
      ":edges": totals.followEdgesDeleted,
      ":comments": totals.commentsAnonymized,
    },
  });
}

/** A run's count changes (1 Query per 1 MB). */
function getCountChanges(runId: string): Promise<CountChange[]> {
  return queryAll(collections.countChangesOf(runId), countChange.read, { projection: countChange.projection });
}

/** One run with its count changes (GetItem, then Query of its changes, in parallel), or null. */
export async function getRun(runId: string): Promise<Run | null> {
  const [run, countChanges] = await Promise.all([
    getItem(cleanupKeys.run(runId), fromCleanupRunItem),
    getCountChanges(runId),
  ]);
  return run ? { ...run, countChanges } : null;
}

/** A page of runs, newest first (1 Query), each with its count changes (1 Query per run, in parallel). */
export async function listRuns(limit: number, after?: string): Promise<{ runs: Run[]; nextAfter: string | null }> {
  const page = await queryPage(collections.cleanupRuns(), fromCleanupRunItem, {
    newestFirst: true,
    limit: limit + 1,
    ...(after ? { startAfter: cleanupKeys.run(after) } : {}),
  });
  const runs = await Promise.all(
    page.items.slice(0, limit).map(async (run) => ({ ...run, countChanges: await getCountChanges(run.runId) })),
  );
  return { runs, nextAfter: page.items.length > limit ? runs.at(-1)!.runId : null };
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
