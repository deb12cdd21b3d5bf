import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "./client";
import { entityTypes, keys } from "./keys";
import type { TransactItems } from "./transactions";

// Idempotency records: what a successful request answered, kept for 24 hours under the caller, the route and
// the client's Idempotency-Key. A record is written in the same transaction as the request's own writes, so it
// exists exactly when they happened: two tries of one request can never both write.

export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;

export interface IdempotencyScope {
  userId: string;
  /** The route, e.g. `POST /posts`. */
  route: string;
  key: string;
}

export interface IdempotencyRecord {
  requestHash: string;
  statusCode: number;
  body: unknown;
  /** Epoch seconds; DynamoDB's TTL deletes the record some time after it, so readers check it themselves. */
  expiresAt: number;
}

const epochSeconds = (time: Date) => Math.floor(time.getTime() / 1000);

/**
 * The transaction item that writes the record: only when no unexpired record holds the key. When it fails,
 * DynamoDB returns the record that holds it (ALL_OLD), so the loser of a race learns the answer at no cost.
 */
export function putIdempotencyRecord(
  scope: IdempotencyScope,
  record: Omit<IdempotencyRecord, "expiresAt">,
  now: Date,
): TransactItems[number] {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...keys.idempotency(scope.userId, scope.route, scope.key),
        entityType: entityTypes.idempotencyRecord,
        requestHash: record.requestHash,
        statusCode: record.statusCode,
        // A JSON string: the answer comes back byte for byte, whatever it holds.
        responseBody: JSON.stringify(record.body),
        expiresAt: epochSeconds(now) + IDEMPOTENCY_WINDOW_SECONDS,
      },
      ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :now",
      ExpressionAttributeValues: { ":now": epochSeconds(now) },
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    },
  };
}

/** Maps a stored record to its domain shape; null when there is none or it has expired (TTL lags). */
export function toIdempotencyRecord(item: Record<string, unknown> | undefined, now: Date): IdempotencyRecord | null {
  if (!item || item.entityType !== entityTypes.idempotencyRecord) return null;
  const expiresAt = Number(item.expiresAt);
  if (!(expiresAt > epochSeconds(now))) return null;
  return {
    requestHash: String(item.requestHash),
    statusCode: Number(item.statusCode),
    body: JSON.parse(String(item.responseBody)) as unknown,
    expiresAt,
  };
}

/** Reads the record that holds a key (1 consistent GetItem). */
export async function getIdempotencyRecord(scope: IdempotencyScope, now: Date): Promise<IdempotencyRecord | null> {
  const result = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: keys.idempotency(scope.userId, scope.route, scope.key),
      ConsistentRead: true,
    }),
  );
  return toIdempotencyRecord(result.Item, now);
}
