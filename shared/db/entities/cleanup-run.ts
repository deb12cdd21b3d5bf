// A cleanup run's items (docs/data-model.md, "Cleanup"): its record (`CLEANUP#RUNS`, `RUN#<runId>`), the one
// lease (`CLEANUP#LEASE`, `LEASE`) that lets one run at a time, and the count changes it made
// (`CLEANUP#RUN#<runId>`, `CHANGE#<userId>`).
import type { CountChange, Run, RunStatus, RunTicket } from "../../domain/cleanup";
import { attributesOf, isEntity, projectionOf, type RawItem } from "../attributes";
import { cleanupKeys, entityTypes, type ItemKey } from "../keys";

const statuses = ["running", "succeeded", "failed"] as const satisfies readonly RunStatus[];

/**
 * A run as its record stores it: no count changes (they are items of their own), and their number only once the
 * run has ended (counted then; absent while it runs, on runs stored before 1.2, and on runs taken over).
 */
export type StoredRun = Omit<Run, "countChanges" | "countChangesTotal"> & { countChangesTotal?: number };

export interface CleanupRunItem extends ItemKey, Omit<StoredRun, "undo"> {
  entityType: typeof entityTypes.cleanupRun;
  undo?: StoredUndo;
}

export interface RunLeaseItem extends ItemKey {
  entityType: typeof entityTypes.cleanupLease;
  runId: string;
  /** An undo of the run `runId` holds the lease (not the run itself). */
  undoId?: string;
  /** ISO time after which another run may take the lease over (not `expiresAt`: TTL must not delete it). */
  leaseUntil: string;
}

export interface CountChangeItem extends ItemKey, CountChange {
  entityType: typeof entityTypes.countChange;
  runId: string;
}

/** The record of a run that just started. */
export function toCleanupRunItem(ticket: RunTicket, startedAt: string): CleanupRunItem {
  return {
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
    noticesSent: 0,
    deletionsDeferred: 0,
    accountsDeactivated: 0,
    accountsPurged: 0,
    accountsRestored: 0,
  };
}

/** The run a stored record holds (without its count changes); null when the item is not a run. */
export function fromCleanupRunItem(item: RawItem | undefined): StoredRun | null {
  if (!isEntity(item, entityTypes.cleanupRun)) return null;
  const attributes = attributesOf(item, entityTypes.cleanupRun);
  const finishedAt = attributes.optionalString("finishedAt");
  const countChangesTotal = attributes.optionalNumber("countChangesTotal");
  const undo = attributes.optionalMap("undo");
  return {
    runId: attributes.string("runId"),
    status: attributes.oneOf("status", statuses),
    dryRun: attributes.boolean("dryRun"),
    cutoff: attributes.string("cutoff"),
    startedAt: attributes.string("startedAt"),
    ...(finishedAt ? { finishedAt } : {}),
    accountsDeleted: attributes.optionalNumber("accountsDeleted") ?? 0,
    followEdgesDeleted: attributes.optionalNumber("followEdgesDeleted") ?? 0,
    commentsAnonymized: attributes.optionalNumber("commentsAnonymized") ?? 0,
    noticesSent: attributes.optionalNumber("noticesSent") ?? 0,
    deletionsDeferred: attributes.optionalNumber("deletionsDeferred") ?? 0,
    ...(countChangesTotal === undefined ? {} : { countChangesTotal }),
    accountsDeactivated: attributes.optionalNumber("accountsDeactivated") ?? 0,
    accountsPurged: attributes.optionalNumber("accountsPurged") ?? 0,
    accountsRestored: attributes.optionalNumber("accountsRestored") ?? 0,
    ...(undo ? { undo: publicUndo(readUndo(undo)) } : {}),
  };
}

/** The undo as a Run shows it: without its ID. */
const publicUndo = ({ undoId: _undoId, ...shown }: StoredUndo): NonNullable<Run["undo"]> => shown;

/** An undo of a run as stored: its ID (what its history points and touched set are named by) and status. */
export interface StoredUndo {
  undoId: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
}

function readUndo(value: unknown): StoredUndo {
  const attributes = attributesOf(value, "undo");
  const finishedAt = attributes.optionalString("finishedAt");
  return {
    undoId: attributes.string("undoId"),
    status: attributes.oneOf("status", statuses),
    startedAt: attributes.string("startedAt"),
    ...(finishedAt ? { finishedAt } : {}),
  };
}

/** The undo a stored run holds (its ID included, which the API does not show). */
export const runUndo = {
  projection: projectionOf(["undo", "status", "dryRun"]),
  read: (item: RawItem): { undo: StoredUndo | null; status: RunStatus; dryRun: boolean } => {
    const attributes = attributesOf(item, entityTypes.cleanupRun);
    const undo = attributes.optionalMap("undo");
    return {
      undo: undo ? readUndo(undo) : null,
      status: attributes.oneOf("status", statuses),
      dryRun: attributes.boolean("dryRun"),
    };
  },
};

export function toRunLeaseItem(runId: string, leaseUntil: string, undoId?: string): RunLeaseItem {
  return {
    ...cleanupKeys.lease(),
    entityType: entityTypes.cleanupLease,
    runId,
    leaseUntil,
    ...(undoId === undefined ? {} : { undoId }),
  };
}

/** Who holds the lease (a run, or an undo of one), until when; null when the item is not the lease. */
export function fromRunLeaseItem(
  item: RawItem | undefined,
): { runId: string; leaseUntil: string; undoId?: string } | null {
  if (!isEntity(item, entityTypes.cleanupLease)) return null;
  const attributes = attributesOf(item, entityTypes.cleanupLease);
  const undoId = attributes.optionalString("undoId");
  return {
    runId: attributes.string("runId"),
    leaseUntil: attributes.string("leaseUntil"),
    ...(undoId === undefined ? {} : { undoId }),
  };
}

export function toCountChangeItem(runId: string, change: CountChange): CountChangeItem {
  return {
    ...cleanupKeys.countChange(runId, change.userId),
    entityType: entityTypes.countChange,
    runId,
    userId: change.userId,
    before: change.before,
    after: change.after,
  };
}

/** A run's count change, as a run's report and its list show it (only these attributes are read). */
export const countChange = {
  projection: projectionOf(["userId", "before", "after"]),
  read: (item: RawItem): CountChange => {
    const attributes = attributesOf(item, entityTypes.countChange);
    return {
      userId: attributes.string("userId"),
      before: attributes.number("before"),
      after: attributes.number("after"),
    };
  },
};
