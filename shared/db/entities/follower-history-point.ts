// A point of an account's public follower history (`HISTORY#<userId>`, `POINT#<runId>`): a run changed its
// follower count from `before` to `after` (`reason`: a cleanup run's recount, or an operator's recount of drift,
// whose audit ID stands in `runId`). A point stored before `reason` existed came from a cleanup run.
import { followerHistoryReasons, type CountChange, type FollowerHistoryPoint } from "../../domain/cleanup";
import { attributesOf, isEntity, type RawItem } from "../attributes";
import { cleanupKeys, entityTypes, type ItemKey } from "../keys";

export interface FollowerHistoryPointItem extends ItemKey, FollowerHistoryPoint {
  entityType: typeof entityTypes.followerHistoryPoint;
  userId: string;
}

export function toFollowerHistoryPointItem(
  runId: string,
  change: CountChange,
  at: string,
  reason: FollowerHistoryPoint["reason"],
): FollowerHistoryPointItem {
  return {
    ...cleanupKeys.historyPoint(change.userId, runId),
    entityType: entityTypes.followerHistoryPoint,
    userId: change.userId,
    runId,
    at,
    before: change.before,
    after: change.after,
    reason,
  };
}

/** The point a stored item holds; null when the item is not a history point. */
export function fromFollowerHistoryPointItem(item: RawItem | undefined): FollowerHistoryPoint | null {
  if (!isEntity(item, entityTypes.followerHistoryPoint)) return null;
  const attributes = attributesOf(item, entityTypes.followerHistoryPoint);
  return {
    at: attributes.string("at"),
    runId: attributes.string("runId"),
    before: attributes.number("before"),
    after: attributes.number("after"),
    reason: attributes.has("reason") ? attributes.oneOf("reason", followerHistoryReasons) : "inactive_accounts_deleted",
  };
}
