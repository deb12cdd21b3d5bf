// A pending deletion (`CLEANUP#PENDING`, `USER#<userId>`): an account whose deletion began (it is marked) and is
// not finished, with what the deletion removed so far. Any later run finishes it first.
import { attributesOf, isEntity, projectionOf, type RawItem } from "../attributes";
import { cleanupKeys, entityTypes, type ItemKey } from "../keys";
import type { DeletionMark } from "./account";

export interface PendingDeletion {
  userId: string;
  reason: DeletionMark["reason"];
  runId: string | null;
  at: string;
  /** Relations and comments this deletion has removed or anonymized so far (counted in their transactions). */
  edges: number;
  comments: number;
  /** What is under way (contract 1.2): a deactivation, a purge; absent: a deletion. */
  work?: "deactivate" | "purge";
  /** A deactivation has taken the account's comments off it up to this comment ID (absent: none yet). */
  commentsAfter?: string;
}

export interface PendingDeletionItem extends ItemKey, PendingDeletion {
  entityType: typeof entityTypes.pendingDeletion;
}

export function toPendingDeletionItem(pending: PendingDeletion): PendingDeletionItem {
  return { ...cleanupKeys.pending(pending.userId), entityType: entityTypes.pendingDeletion, ...pending };
}

/** The pending deletion a stored item holds; null when the item is not one. */
export function fromPendingDeletionItem(item: RawItem | undefined): PendingDeletion | null {
  if (!isEntity(item, entityTypes.pendingDeletion)) return null;
  const attributes = attributesOf(item, entityTypes.pendingDeletion);
  return {
    userId: attributes.string("userId"),
    reason: attributes.oneOf("reason", ["inactive", "owner"]),
    runId: attributes.nullableString("runId"),
    at: attributes.string("at"),
    edges: attributes.optionalNumber("edges") ?? 0,
    comments: attributes.optionalNumber("comments") ?? 0,
    ...(attributes.has("work") ? { work: attributes.oneOf("work", ["deactivate", "purge"] as const) } : {}),
    ...(attributes.has("commentsAfter") ? { commentsAfter: attributes.string("commentsAfter") } : {}),
  };
}

/** The account a pending deletion names: what the search for candidates reads (K4). */
export const pendingAccount = {
  projection: projectionOf(["userId"]),
  read: (item: RawItem): string => attributesOf(item, entityTypes.pendingDeletion).string("userId"),
};
