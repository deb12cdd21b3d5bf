// An idempotency record (`USER#<userId>`, `IDEMPOTENCY#<route>#<key>`): what a successful request answered, kept
// for 24 hours. docs/data-model.md, "idempotency record".
import { attributesOf, isEntity, type RawItem } from "../attributes";
import { entityTypes, keys, type ItemKey } from "../keys";

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

export interface IdempotencyRecordItem extends ItemKey {
  entityType: typeof entityTypes.idempotencyRecord;
  requestHash: string;
  statusCode: number;
  /** The answer's body as a JSON string: it comes back byte for byte, whatever it holds. */
  responseBody: string;
  expiresAt: number;
}

export function toIdempotencyRecordItem(scope: IdempotencyScope, record: IdempotencyRecord): IdempotencyRecordItem {
  return {
    ...keys.idempotency(scope.userId, scope.route, scope.key),
    entityType: entityTypes.idempotencyRecord,
    requestHash: record.requestHash,
    statusCode: record.statusCode,
    responseBody: JSON.stringify(record.body),
    expiresAt: record.expiresAt,
  };
}

/** The record a stored item holds; null when the item is not an idempotency record. */
export function fromIdempotencyRecordItem(item: RawItem | undefined): IdempotencyRecord | null {
  if (!isEntity(item, entityTypes.idempotencyRecord)) return null;
  const attributes = attributesOf(item, entityTypes.idempotencyRecord);
  return {
    requestHash: attributes.string("requestHash"),
    statusCode: attributes.number("statusCode"),
    body: JSON.parse(attributes.string("responseBody")) as unknown,
    expiresAt: attributes.number("expiresAt"),
  };
}
