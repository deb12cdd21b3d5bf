import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { CountChange, FollowerHistoryPoint, Run, RunStatus, RunTicket } from "../domain/cleanup";
import { documentClient, tableName } from "./client";
import { countByPrefix } from "./count";
import { cleanupKeys, entityTypes, inactivityPartition, type ItemKey } from "./keys";
import { tableDesign } from "./table-design";
import { transactWrite, TransactionCancelled, withConflictRetry, type TransactItems } from "./transactions";

// Storage of cleanup runs: the run records and their count changes, the lease that lets one run at a time,
// pending deletions, accounts whose counts a deletion touched, a dry run's scratch items, follower history, and
// the sparse inactivity index. docs/data-model.md ("Cleanup") describes every item and what each access costs.

/** Scratch items of dry runs expire (DynamoDB TTL) a week after the run: nobody reads them after it ends. */
const DRY_SCRATCH_TTL_SECONDS = 7 * 24 * 60 * 60;

interface RunItem extends ItemKey {
  entityType: typeof entityTypes.cleanupRun;
  runId: string;
  status: RunStatus;
  dryRun: boolean;
  cutoff: string;
  startedAt: string;
  finishedAt?: string;
  accountsDeleted: number;
  followEdgesDeleted: number;
  commentsAnonymized: number;
}

function toRun(item: Record<string, unknown>, countChanges: CountChange[]): Run {
  const stored = item as unknown as RunItem;
  return {
    runId: stored.runId,
    status: stored.status,
    dryRun: stored.dryRun,
    cutoff: stored.cutoff,
    startedAt: stored.startedAt,
    ...(stored.finishedAt ? { finishedAt: stored.finishedAt } : {}),
    accountsDeleted: stored.accountsDeleted ?? 0,
    followEdgesDeleted: stored.followEdgesDeleted ?? 0,
    commentsAnonymized: stored.commentsAnonymized ?? 0,
    countChanges,
  };
}

/** Every item of a Query, page after page (strongly consistent unless the input says otherwise). */
async function queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await documentClient.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return items;
}


const byPrefix = (pk: string, prefix: string): QueryCommandInput => ({
  TableName: tableName,
  KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
  ExpressionAttributeValues: { ":pk": pk, ":prefix": prefix },
  ConsistentRead: true,
});

// ---------------------------------------------------------------------------------------------------------------
// Runs and the lease

export class CleanupAlreadyRunning extends Error {}
export class LeaseLost extends Error {}

interface LeaseItem extends ItemKey {
  entityType: typeof entityTypes.cleanupLease;
  runId: string;
  /** ISO time after which another run may take the lease over (not `expiresAt`: TTL must not delete it). */
  leaseUntil: string;
}

/**
 * Starts a run: takes the lease (only when nobody holds an unexpired one) and creates the run record, in one
 * transaction. Throws CleanupAlreadyRunning while another run holds the lease. A run whose lease expired (it
 * died without releasing it) is marked failed. Answers the new run.
 */
export async function createRunWithLease(ticket: RunTicket, now: Date, leaseSeconds: number): Promise<Run> {
  const startedAt = now.toISOString();
  const leaseUntil = new Date(now.getTime() + leaseSeconds * 1000).toISOString();
  const current = await documentClient.send(new GetCommand({ TableName: tableName, Key: cleanupKeys.lease(), ConsistentRead: true }));
  const held = current.Item as LeaseItem | undefined;
  if (held && held.leaseUntil > startedAt) throw new CleanupAlreadyRunning();
  const run: RunItem = {
    ...cleanupKeys.run(ticket.runId),
    entityType: entityTypes.cleanupRun,
    runId: ticket.runId,
    status: "running",
    dryRun: ticket.dryRun,
    cutoff: ticket.cutoff,
    startedAt,
    accountsDeleted: 0,
    followEdgesDeleted: 0,
    commentsAnonymized: 0,
  };
  const lease: LeaseItem = { ...cleanupKeys.lease(), entityType: entityTypes.cleanupLease, runId: ticket.runId, leaseUntil };
  try {
    await transactWrite([
      {
        Put: {
          TableName: tableName,
          Item: lease,
          // Exactly the lease that was read (or none): two starts racing for one expired lease get one winner.
          ConditionExpression: held ? "runId = :heldBy AND leaseUntil = :heldUntil" : "attribute_not_exists(pk)",
          ...(held ? { ExpressionAttributeValues: { ":heldBy": held.runId, ":heldUntil": held.leaseUntil } } : {}),
        },
      },
      { Put: { TableName: tableName, Item: run, ConditionExpression: "attribute_not_exists(pk)" } },
    ]);
  } catch (error) {
    if (error instanceof TransactionCancelled) throw new CleanupAlreadyRunning();
    throw error;
  }
  if (held) await setRunStatus(held.runId, "failed", startedAt);
  return toRun(run as unknown as Record<string, unknown>, []);
}

/** Marks a run finished with `status` unless it already is (1 conditional UpdateItem). */
async function setRunStatus(runId: string, status: RunStatus, finishedAt: string): Promise<void> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: cleanupKeys.run(runId),
        UpdateExpression: "SET #status = :status, finishedAt = :finishedAt",
        ConditionExpression: "#status = :running",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":status": status, ":finishedAt": finishedAt, ":running": "running" },
      }),
    );
  } catch (error) {
    if (!(error instanceof Error && error.name === "ConditionalCheckFailedException")) throw error;
  }
}

/** Extends the run's lease (every step does); LeaseLost when another run took it over meanwhile. */
export async function renewLease(runId: string, now: Date, leaseSeconds: number): Promise<void> {
  try {
    await withConflictRetry(() =>
      documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: cleanupKeys.lease(),
          UpdateExpression: "SET leaseUntil = :until",
          ConditionExpression: "runId = :runId",
          ExpressionAttributeValues: { ":runId": runId, ":until": new Date(now.getTime() + leaseSeconds * 1000).toISOString() },
        }),
      ),
    );
  } catch (error) {
    if (error instanceof Error && error.name === "ConditionalCheckFailedException") throw new LeaseLost();
    throw error;
  }
}

export interface RunTotals {
  accountsDeleted: number;
  followEdgesDeleted: number;
  commentsAnonymized: number;
}

/**
 * Ends a run: its status and finish time (and, for a dry run, its totals) and the release of its lease, in ONE
 * transaction, so the run leaves `running` exactly when a new run may start. If the lease is no longer ours
 * (it expired and another run took it), the run is ended alone. A run already ended stays as it is.
 */
export async function endRun(runId: string, status: Exclude<RunStatus, "running">, now: Date, totals?: RunTotals): Promise<void> {
  const names: Record<string, string> = { "#status": "status" };
  const values: Record<string, unknown> = { ":status": status, ":finishedAt": now.toISOString(), ":running": "running" };
  let update = "SET #status = :status, finishedAt = :finishedAt";
  if (totals) {
    update += ", accountsDeleted = :accounts, followEdgesDeleted = :edges, commentsAnonymized = :comments";
    Object.assign(values, { ":accounts": totals.accountsDeleted, ":edges": totals.followEdgesDeleted, ":comments": totals.commentsAnonymized });
  }
  const runUpdate: TransactItems[number] = {
    Update: {
      TableName: tableName,
      Key: cleanupKeys.run(runId),
      UpdateExpression: update,
      ConditionExpression: "#status = :running",
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
  const release: TransactItems[number] = {
    Delete: {
      TableName: tableName,
      Key: cleanupKeys.lease(),
      ConditionExpression: "runId = :runId",
      ExpressionAttributeValues: { ":runId": runId },
    },
  };
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
export function addToRunTotals(runId: string, totals: RunTotals): TransactItems[number] {
  return {
    Update: {
      TableName: tableName,
      Key: cleanupKeys.run(runId),
      UpdateExpression: "ADD accountsDeleted :accounts, followEdgesDeleted :edges, commentsAnonymized :comments",
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeValues: {
        ":accounts": totals.accountsDeleted,
        ":edges": totals.followEdgesDeleted,
        ":comments": totals.commentsAnonymized,
      },
    },
  };
}

/** One run with its count changes (GetItem, then Query of its changes, in parallel), or null. */
export async function getRun(runId: string): Promise<Run | null> {
  const [result, changes] = await Promise.all([
    documentClient.send(new GetCommand({ TableName: tableName, Key: cleanupKeys.run(runId), ConsistentRead: true })),
    getCountChanges(runId),
  ]);
  return result.Item ? toRun(result.Item, changes) : null;
}

async function getCountChanges(runId: string): Promise<CountChange[]> {
  const items = await queryAll({
    ...byPrefix(cleanupKeys.runPartition(runId), cleanupKeys.countChangePrefix),
    ProjectionExpression: "userId, #before, #after",
    ExpressionAttributeNames: { "#before": "before", "#after": "after" },
  });
  return items.map((item) => ({ userId: String(item.userId), before: Number(item.before), after: Number(item.after) }));
}

/** A page of runs, newest first (1 Query), each with its count changes (1 Query per run, in parallel). */
export async function listRuns(limit: number, after?: string): Promise<{ runs: Run[]; nextAfter: string | null }> {
  const result = await documentClient.send(
    new QueryCommand({
      ...byPrefix(cleanupKeys.runsPartition, cleanupKeys.runPrefix),
      ScanIndexForward: false,
      Limit: limit + 1,
      ...(after ? { ExclusiveStartKey: { ...cleanupKeys.run(after) } } : {}),
    }),
  );
  const items = (result.Items ?? []).slice(0, limit);
  const runs = await Promise.all(items.map(async (item) => toRun(item, await getCountChanges(String(item.runId)))));
  const more = (result.Items ?? []).length > limit;
  return { runs, nextAfter: more ? runs.at(-1)!.runId : null };
}

/**
 * Records a recount's outcome for a run: the count change, and (for a real run) the account's follower
 * history point, as transaction items to join the recount's own transaction.
 */
export function recordCountChange(runId: string, change: CountChange, at: string, addHistoryPoint: boolean): TransactItems {
  const items: TransactItems = [
    {
      Put: {
        TableName: tableName,
        Item: { ...cleanupKeys.countChange(runId, change.userId), entityType: entityTypes.countChange, runId, ...change },
      },
    },
  ];
  if (addHistoryPoint) {
    items.push({
      Put: {
        TableName: tableName,
        Item: {
          ...cleanupKeys.historyPoint(change.userId, runId),
          entityType: entityTypes.followerHistoryPoint,
          userId: change.userId,
          runId,
          at,
          before: change.before,
          after: change.after,
        },
      },
    });
  }
  return items;
}

/** A page of an account's follower history, newest first (1 Query). */
export async function listFollowerHistory(
  userId: string,
  limit: number,
  after?: string,
): Promise<{ points: FollowerHistoryPoint[]; nextAfter: string | null }> {
  const result = await documentClient.send(
    new QueryCommand({
      ...byPrefix(cleanupKeys.historyPartition(userId), cleanupKeys.historyPrefix),
      ScanIndexForward: false,
      Limit: limit + 1,
      ...(after ? { ExclusiveStartKey: { ...cleanupKeys.historyPoint(userId, after) } } : {}),
    }),
  );
  const points = (result.Items ?? []).slice(0, limit).map((item) => ({
    at: String(item.at),
    runId: String(item.runId),
    before: Number(item.before),
    after: Number(item.after),
  }));
  return { points, nextAfter: (result.Items ?? []).length > limit ? points.at(-1)!.runId : null };
}

/** The keys of every history point of an account (for its deletion). */
export async function historyKeysOf(userId: string, limit: number): Promise<ItemKey[]> {
  const result = await documentClient.send(
    new QueryCommand({
      ...byPrefix(cleanupKeys.historyPartition(userId), cleanupKeys.historyPrefix),
      ProjectionExpression: "pk, sk",
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));
}

// ---------------------------------------------------------------------------------------------------------------
// Candidates: pending deletions first, then the sparse inactivity index

/** Where a run's search for candidates goes on: the pending deletions, then month after month of the index. */
export type CandidateCursor =
  | { phase: "pending"; startKey?: Record<string, unknown> }
  | { phase: "inactive"; month: number; startKey?: Record<string, unknown> };

/** A page of pending deletions (1 consistent Query): accounts whose deletion began and is not finished. */
export async function pendingPage(
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ userIds: string[]; next?: Record<string, unknown> }> {
  const result = await documentClient.send(
    new QueryCommand({
      ...byPrefix(cleanupKeys.pendingPartition, "USER#"),
      ProjectionExpression: "userId",
      Limit: limit,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  return { userIds: (result.Items ?? []).map((item) => String(item.userId)), ...(result.LastEvaluatedKey ? { next: result.LastEvaluatedKey } : {}) };
}

/**
 * A page of one month's partition of the sparse inactivity index with `lastActiveAt` before the cutoff (1 Query
 * on the GSI, eventually consistent: every candidate is read again, strongly, before anything is decided).
 */
export async function inactivePage(
  month: string,
  cutoff: string,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ userIds: string[]; next?: Record<string, unknown> }> {
  const index = tableDesign.indexes.inactivity;
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: index.name,
      KeyConditionExpression: `${index.partitionKey} = :month AND ${index.sortKey} < :cutoff`,
      ExpressionAttributeValues: { ":month": inactivityPartition(`${month}-01`), ":cutoff": cutoff },
      ProjectionExpression: "userId",
      Limit: limit,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  return { userIds: (result.Items ?? []).map((item) => String(item.userId)), ...(result.LastEvaluatedKey ? { next: result.LastEvaluatedKey } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Pending deletions

export interface PendingDeletion {
  userId: string;
  reason: "inactive" | "owner";
  runId: string | null;
  at: string;
  /** Relations and comments this deletion has removed or anonymized so far (counted in their transactions). */
  edges: number;
  comments: number;
}

/** The Put of a pending deletion, for the mark's transaction. */
export function putPendingDeletion(pending: PendingDeletion): TransactItems[number] {
  return {
    Put: {
      TableName: tableName,
      Item: { ...cleanupKeys.pending(pending.userId), entityType: entityTypes.pendingDeletion, ...pending },
      ConditionExpression: "attribute_not_exists(pk)",
    },
  };
}

export async function getPendingDeletion(userId: string): Promise<PendingDeletion | null> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: cleanupKeys.pending(userId), ConsistentRead: true }),
  );
  if (!result.Item) return null;
  const item = result.Item;
  return {
    userId: String(item.userId),
    reason: item.reason as PendingDeletion["reason"],
    runId: (item.runId as string | null) ?? null,
    at: String(item.at),
    edges: Number(item.edges ?? 0),
    comments: Number(item.comments ?? 0),
  };
}

/** Counts one removed relation or anonymized comment on the pending deletion, inside that write's transaction. */
export function countOnPending(userId: string, what: "edges" | "comments"): TransactItems[number] {
  return {
    Update: {
      TableName: tableName,
      Key: cleanupKeys.pending(userId),
      UpdateExpression: "ADD #what :one",
      ConditionExpression: "attribute_exists(pk)",
      ExpressionAttributeNames: { "#what": what },
      ExpressionAttributeValues: { ":one": 1 },
    },
  };
}

/** Deletes a pending deletion whose account is already gone (1 DeleteItem). */
export async function dropPendingDeletion(userId: string): Promise<void> {
  await withConflictRetry(() => documentClient.send(new DeleteCommand({ TableName: tableName, Key: cleanupKeys.pending(userId) })));
}

// ---------------------------------------------------------------------------------------------------------------
// Touched accounts (real runs) and a dry run's scratch

export interface TouchedAccount {
  userId: string;
  /** The stored counts before the first deletion that touched the account. */
  followerBefore: number;
  followingBefore: number;
}

/**
 * Records that a deletion is about to change a surviving account's counts, with the counts as they are now,
 * unless it is recorded already (then the earlier, older counts stay). In `CLEANUP#TOUCHED` for real runs (so a
 * run that died leaves them to the next run's recount) or in the dry run's own partition.
 */
export async function recordTouched(touched: TouchedAccount, dryRunId: string | null, now: Date): Promise<void> {
  const key = dryRunId ? cleanupKeys.dryTouched(dryRunId, touched.userId) : cleanupKeys.touched(touched.userId);
  try {
    await withConflictRetry(() =>
      documentClient.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...key,
            entityType: dryRunId ? entityTypes.dryRunScratch : entityTypes.touchedAccount,
            ...touched,
            ...(dryRunId ? { expiresAt: Math.floor(now.getTime() / 1000) + DRY_SCRATCH_TTL_SECONDS } : {}),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    );
  } catch (error) {
    if (!(error instanceof Error && error.name === "ConditionalCheckFailedException")) throw error;
  }
}

/** Whether an account's touch is recorded (1 GetItem). */
export async function isTouched(userId: string, dryRunId: string | null): Promise<boolean> {
  const key = dryRunId ? cleanupKeys.dryTouched(dryRunId, userId) : cleanupKeys.touched(userId);
  const result = await documentClient.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true, ProjectionExpression: "pk" }));
  return result.Item !== undefined;
}

/** The next touched accounts to recount (1 Query; recounted ones are deleted, so this is always the first page). */
export async function touchedPage(dryRunId: string | null, limit: number): Promise<TouchedAccount[]> {
  const query = dryRunId
    ? byPrefix(cleanupKeys.runPartition(dryRunId), cleanupKeys.dryTouchedPrefix)
    : byPrefix(cleanupKeys.touchedPartition, "USER#");
  const result = await documentClient.send(new QueryCommand({ ...query, Limit: limit }));
  return (result.Items ?? []).map((item) => ({
    userId: String(item.userId),
    followerBefore: Number(item.followerBefore),
    followingBefore: Number(item.followingBefore),
  }));
}

/** The Delete of a touched account's record, for the recount's transaction. */
export function deleteTouched(userId: string, dryRunId: string | null): TransactItems[number] {
  return {
    Delete: {
      TableName: tableName,
      Key: dryRunId ? cleanupKeys.dryTouched(dryRunId, userId) : cleanupKeys.touched(userId),
    },
  };
}

/** Dry run: what deleting one account would do, recorded idempotently in the run's partition (expiring). */
export async function recordWouldDelete(runId: string, userId: string, comments: number, now: Date): Promise<void> {
  await withConflictRetry(() =>
    documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...cleanupKeys.dryWouldDelete(runId, userId),
          entityType: entityTypes.dryRunScratch,
          userId,
          comments,
          expiresAt: Math.floor(now.getTime() / 1000) + DRY_SCRATCH_TTL_SECONDS,
        },
      }),
    ),
  );
}

/** Dry run: one relation that would be deleted; `lostFollowerOf` also records the follower its followee would lose. */
export function dryEdgeItems(runId: string, followId: string, lostFollowerOf: { userId: string; followerId: string } | null, now: Date): TransactItems {
  const expiresAt = Math.floor(now.getTime() / 1000) + DRY_SCRATCH_TTL_SECONDS;
  const items: TransactItems = [
    { Put: { TableName: tableName, Item: { ...cleanupKeys.dryEdge(runId, followId), entityType: entityTypes.dryRunScratch, expiresAt } } },
  ];
  if (lostFollowerOf) {
    items.push({
      Put: {
        TableName: tableName,
        Item: {
          ...cleanupKeys.dryLostFollower(runId, lostFollowerOf.userId, lostFollowerOf.followerId),
          entityType: entityTypes.dryRunScratch,
          expiresAt,
        },
      },
    });
  }
  return items;
}

/** Dry run: whether the run would delete an account (1 GetItem). */
export async function wouldDelete(runId: string, userId: string): Promise<boolean> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: cleanupKeys.dryWouldDelete(runId, userId), ConsistentRead: true, ProjectionExpression: "pk" }),
  );
  return result.Item !== undefined;
}

/** Dry run: how many followers the run would take from an account. */
export const dryLostFollowers = (runId: string, userId: string) =>
  countByPrefix(cleanupKeys.dryLostFollowersPartition(runId, userId), "FOLLOWER#");

/** Dry run: its totals, from its scratch items (Queries of the run's partition). */
export async function dryRunTotals(runId: string): Promise<RunTotals> {
  const wouldDeletes = await queryAll({
    ...byPrefix(cleanupKeys.runPartition(runId), cleanupKeys.dryWouldDeletePrefix),
    ProjectionExpression: "comments",
  });
  return {
    accountsDeleted: wouldDeletes.length,
    followEdgesDeleted: await countByPrefix(cleanupKeys.runPartition(runId), cleanupKeys.dryEdgePrefix),
    commentsAnonymized: wouldDeletes.reduce((sum, item) => sum + Number(item.comments ?? 0), 0),
  };
}

export { TransactionCancelled };
