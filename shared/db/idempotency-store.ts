import {
  fromIdempotencyRecordItem,
  toIdempotencyRecordItem,
  type IdempotencyRecord,
  type IdempotencyScope,
} from "./entities/idempotency-record";
import type { RawItem } from "./attributes";
import { keys } from "./keys";
import { getItem } from "./requests";
import { putOf, type TransactItem } from "./transactions";

// Idempotency records: what a successful request answered, kept for 24 hours under the caller, the route and
// the client's Idempotency-Key. A record is written in the same transaction as the request's own writes, so it
// exists exactly when they happened: two tries of one request can never both write.

export type { IdempotencyRecord, IdempotencyScope };

const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;

const epochSeconds = (time: Date) => Math.floor(time.getTime() / 1000);

/**
 * The transaction item that writes the record: only when no unexpired record holds the key. When it fails,
 * DynamoDB returns the record that holds it (ALL_OLD), so the loser of a race learns the answer at no cost.
 */
export function putIdempotencyRecord(
  scope: IdempotencyScope,
  record: Omit<IdempotencyRecord, "expiresAt">,
  now: Date,
): TransactItem {
  return putOf(
    toIdempotencyRecordItem(scope, { ...record, expiresAt: epochSeconds(now) + IDEMPOTENCY_WINDOW_SECONDS }),
    {
      ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :now",
      ExpressionAttributeValues: { ":now": epochSeconds(now) },
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    },
  );
}

/** The record a stored item holds; null when there is none or it has expired (TTL lags). */
export function unexpiredRecord(item: RawItem | undefined, now: Date): IdempotencyRecord | null {
  const record = fromIdempotencyRecordItem(item);
  return record && record.expiresAt > epochSeconds(now) ? record : null;
}

/** Reads the record that holds a key (1 consistent GetItem); null when there is none or it has expired. */
export async function getIdempotencyRecord(scope: IdempotencyScope, now: Date): Promise<IdempotencyRecord | null> {
  return getItem(keys.idempotency(scope.userId, scope.route, scope.key), (item) => unexpiredRecord(item, now));
}
