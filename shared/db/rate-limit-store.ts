import type { RateWindow } from "../domain/rate-limit";
import { entityTypes, type ItemKey } from "./keys";
import { updateOf, type TransactItem } from "./transactions";

// Rate-limit counters (shared/db/entities/rate-counter.ts): one item per user and window, counting the attempts
// that went through. The count is one item of the transaction of the write it limits, so it counts exactly the
// writes that happened: a refused or failed write (a cancelled transaction) leaves it as it was, and a replayed
// idempotent request never reaches it.

/** A limit to enforce on a write: the window the write falls in, and how many writes that window allows. */
export interface RateLimit {
  window: RateWindow;
  limit: number;
}

/**
 * The transaction item that counts one more attempt on `counter` (the item of the caller's current window),
 * only while the window holds fewer than `limit` (`attribute_not_exists(#count) OR #count < :limit`). Its
 * failed condition means: over the limit. The item's `expiresAt` is the window's end, for DynamoDB's TTL.
 */
export function countAttempt(counter: ItemKey, rateLimit: RateLimit): TransactItem {
  return updateOf(counter, {
    UpdateExpression: "SET entityType = :entityType, expiresAt = :expiresAt ADD #count :one",
    ConditionExpression: "attribute_not_exists(#count) OR #count < :limit",
    ExpressionAttributeNames: { "#count": "writes" },
    ExpressionAttributeValues: {
      ":entityType": entityTypes.rateCounter,
      ":expiresAt": Math.ceil(rateLimit.window.endsAt.getTime() / 1000),
      ":one": 1,
      ":limit": rateLimit.limit,
    },
  });
}
