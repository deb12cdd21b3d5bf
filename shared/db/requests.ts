import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { projectionOf, type Projection, type RawItem } from "./attributes";
import { untilDeadline } from "../deadline";
import { documentClient, tableName } from "./client";
import type { StoredItem } from "./items";
import type { ItemKey } from "./keys";
import { withRetry } from "./retry";

// Single-item requests, typed where their results leave the client: a read hands its item to the entity's
// mapping (`read`) and answers what it makes of it; a write takes a stored item of the union. Each request rides
// out "busy" answers (withRetry), and a failed condition comes back as `ConditionFailed`.

/** An entity's mapping of a raw item: the domain value, or null when the item is not of that entity. */
export type ItemReader<T> = (item: RawItem) => T | null;

/** A condition on a write, with the names and values it uses. */
export interface Condition {
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
  /** ALL_OLD: a failed condition hands back the item as it was. */
  ReturnValuesOnConditionCheckFailure?: "ALL_OLD" | "NONE";
}

/** An update of one item: its expression, an optional condition, and what it hands back. */
export interface Update {
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
  ReturnValues?: UpdateCommandInput["ReturnValues"];
  ReturnValuesOnConditionCheckFailure?: UpdateCommandInput["ReturnValuesOnConditionCheckFailure"];
}

/** A write whose condition failed: nothing was written. `item` is the item as it was, when the write asked for it. */
export class ConditionFailed extends Error {
  override readonly name = "ConditionFailed";
  constructor(readonly item: RawItem | undefined) {
    super("The write's condition failed");
  }
}

/** The condition failure a write reported, as ConditionFailed; anything else as it is. */
function asConditionFailed(error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== "ConditionalCheckFailedException") return error;
  const item: unknown = Reflect.get(error, "Item");
  // A plain write hands the old item back marshalled (the document client converts only results).
  return new ConditionFailed(
    typeof item === "object" && item !== null ? unmarshall(item as Parameters<typeof unmarshall>[0]) : undefined,
  );
}

async function write<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await withRetry(send);
  } catch (error) {
    throw asConditionFailed(error);
  }
}

/** One item, strongly consistent (1 GetItem), as the entity's mapping reads it; null when absent. */
export async function getItem<T>(key: ItemKey, read: ItemReader<T>, projection?: Projection): Promise<T | null> {
  const result = await withRetry(() =>
    documentClient.send(
      new GetCommand({ TableName: tableName, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true, ...projection }),
      untilDeadline(),
    ),
  );
  return result.Item ? read(result.Item) : null;
}

const keyOnly = projectionOf(["pk"]);

/** Whether an item exists (1 GetItem of its key alone, consistent). */
export async function itemExists(key: ItemKey): Promise<boolean> {
  return (await getItem(key, () => true, keyOnly)) === true;
}

/** Puts a stored item (1 PutItem); ConditionFailed when `condition` fails. */
export async function putItem(item: StoredItem, condition?: Condition): Promise<void> {
  await write(() =>
    documentClient.send(new PutCommand({ TableName: tableName, Item: item, ...condition }), untilDeadline()),
  );
}

/** Updates one item (1 UpdateItem) and reads what it hands back with `read`; ConditionFailed when its condition fails. */
export async function updateItem<T = never>(key: ItemKey, update: Update, read?: ItemReader<T>): Promise<T | null> {
  const result = await write(() =>
    documentClient.send(
      new UpdateCommand({ TableName: tableName, Key: { pk: key.pk, sk: key.sk }, ...update }),
      untilDeadline(),
    ),
  );
  return read && result.Attributes ? read(result.Attributes) : null;
}

/** Deletes one item (1 DeleteItem; an absent item is fine); ConditionFailed when `condition` fails. */
export async function deleteItem(key: ItemKey, condition?: Condition): Promise<void> {
  await write(() =>
    documentClient.send(
      new DeleteCommand({ TableName: tableName, Key: { pk: key.pk, sk: key.sk }, ...condition }),
      untilDeadline(),
    ),
  );
}

/** Runs a conditional write; false when its condition failed (nothing was written). */
export async function unlessConditionFails(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionFailed) return false;
    throw error;
  }
}

/** A Scan of the table (operators' commands only: migrations, the audit; no function is granted Scan). */
export interface ScanSpec {
  FilterExpression?: string;
  ExpressionAttributeValues?: Record<string, unknown>;
  projection?: Projection;
}

/** One of `total` parallel segments of a Scan (DynamoDB's Segment / TotalSegments). */
export interface ScanSegment {
  segment: number;
  total: number;
}

/** One page of a Scan (eventually consistent; at most `limit` items read, and 1 MB), from `start`. */
export async function scanPage<T>(
  scan: ScanSpec,
  read: ItemReader<T>,
  start: ItemKey | null,
  limit?: number,
  segment?: ScanSegment,
): Promise<{ items: T[]; scanned: number; next: ItemKey | null }> {
  const { projection, ...filter } = scan;
  const result = await withRetry(() =>
    documentClient.send(
      new ScanCommand({
        TableName: tableName,
        ...filter,
        ...projection,
        ...(limit ? { Limit: limit } : {}),
        ...(segment ? { Segment: segment.segment, TotalSegments: segment.total } : {}),
        ...(start ? { ExclusiveStartKey: { pk: start.pk, sk: start.sk } } : {}),
      }),
      untilDeadline(),
    ),
  );
  const next = result.LastEvaluatedKey;
  return {
    items: (result.Items ?? []).flatMap((item) => read(item) ?? []),
    scanned: result.ScannedCount ?? 0,
    next: next && typeof next.pk === "string" && typeof next.sk === "string" ? { pk: next.pk, sk: next.sk } : null,
  };
}

/** Every page of one segment of a Scan, one request each, following LastEvaluatedKey: the one Scan loop. */
export async function* scanPages<T>(scan: ScanSpec, read: ItemReader<T>, segment?: ScanSegment) {
  let start: ItemKey | null = null;
  do {
    const page: Awaited<ReturnType<typeof scanPage<T>>> = await scanPage(scan, read, start, undefined, segment);
    yield page;
    start = page.next;
  } while (start);
}
