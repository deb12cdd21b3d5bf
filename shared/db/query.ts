import { QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { Projection, RawItem } from "./attributes";
import { untilDeadline } from "../deadline";
import { documentClient, tableName } from "./client";
import type { ItemCollection, ItemKey, ItemRange } from "./keys";
import type { ItemReader } from "./requests";
import { withRetry } from "./retry";
import { tableDesign } from "./table-design";

// The one way the stores Query: a collection (a partition and a sort-key prefix), a sort-key range, or a month
// of the inactivity index; one request (`queryPage`), every page (`queryPages`, `queryAll`, `countItems`), or as
// many pages as it takes to find `wanted` items (`queryUntil`). Every Query of the base table is strongly
// consistent (read your writes, docs/data-model.md); each result is read by the entity's mapping where it leaves
// the client.

/** What a Query reads: items of one collection, one range of sort keys, or one month of the inactivity index. */
export type QueryTarget = ItemCollection | ItemRange | { index: "inactivity"; partition: string; below: string };

/** A Query's options: direction, limit per request, where to start (exclusive), which attributes. */
export interface QueryOptions {
  newestFirst?: boolean;
  limit?: number;
  startAfter?: ItemKey | StartKey;
  projection?: Projection;
}

/** Where a Query goes on: the key DynamoDB handed back (an index's includes its own key attributes). */
export type StartKey = Record<string, unknown>;

export interface Page<T> {
  items: T[];
  /** How many items the request read before the mapping dropped any (other entities in the range). */
  read: number;
  /** Where the next request goes on; null when the target is read to its end. */
  next: StartKey | null;
}

function keyCondition(
  target: QueryTarget,
): Pick<QueryCommandInput, "IndexName" | "KeyConditionExpression" | "ExpressionAttributeValues" | "ConsistentRead"> {
  if ("index" in target) {
    const index = tableDesign.indexes[target.index];
    // A GSI is only ever read eventually consistent: the cleanup reads each candidate again, strongly.
    return {
      IndexName: index.name,
      KeyConditionExpression: `${index.partitionKey} = :pk AND ${index.sortKey} < :below`,
      ExpressionAttributeValues: { ":pk": target.partition, ":below": target.below },
    };
  }
  if ("prefix" in target) {
    return target.prefix === ""
      ? { KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": target.pk }, ConsistentRead: true }
      : {
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": target.pk, ":prefix": target.prefix },
          ConsistentRead: true,
        };
  }
  return {
    KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
    ExpressionAttributeValues: { ":pk": target.pk, ":from": target.from, ":to": target.to },
    ConsistentRead: true,
  };
}

function queryInput(target: QueryTarget, options: QueryOptions): QueryCommandInput {
  const start = options.startAfter;
  return {
    TableName: tableName,
    ...keyCondition(target),
    ...(options.newestFirst ? { ScanIndexForward: false } : {}),
    ...(options.limit !== undefined ? { Limit: options.limit } : {}),
    ...(start ? { ExclusiveStartKey: { ...start } } : {}),
    ...options.projection,
  };
}

/**
 * Every request of a Query, following LastEvaluatedKey: the one pagination loop of the stores. `nextLimit` may
 * change the limit from one request to the next; the caller stops early by leaving the loop.
 */
async function* requests(input: QueryCommandInput, nextLimit?: () => number) {
  let startKey = input.ExclusiveStartKey;
  do {
    const request = {
      ...input,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      ...(nextLimit ? { Limit: nextLimit() } : {}),
    };
    const result = await withRetry(() => documentClient.send(new QueryCommand(request), untilDeadline()));
    yield result;
    startKey = result.LastEvaluatedKey;
  } while (startKey);
}

const mapped = <T>(items: readonly RawItem[] | undefined, read: ItemReader<T>): T[] =>
  (items ?? []).flatMap((item) => read(item) ?? []);

/** Every page of a Query, one request each (`nextLimit`: the limit of each next request). */
export async function* queryPages<T>(
  target: QueryTarget,
  read: ItemReader<T>,
  options: QueryOptions = {},
  nextLimit?: () => number,
): AsyncGenerator<Page<T>> {
  for await (const result of requests(queryInput(target, options), nextLimit)) {
    yield { items: mapped(result.Items, read), read: result.Items?.length ?? 0, next: result.LastEvaluatedKey ?? null };
  }
}

/** One Query request: up to `limit` items (and 1 MB). */
export async function queryPage<T>(
  target: QueryTarget,
  read: ItemReader<T>,
  options: QueryOptions = {},
): Promise<Page<T>> {
  for await (const page of queryPages(target, read, options)) return page;
  throw new Error("A Query answered nothing");
}

/** Every item of a Query, page after page. */
export async function queryAll<T>(target: QueryTarget, read: ItemReader<T>, options: QueryOptions = {}): Promise<T[]> {
  const items: T[] = [];
  for await (const page of queryPages(target, read, options)) items.push(...page.items);
  return items;
}

/**
 * Reads on until `wanted` items are found or the target ends: a Query reads at most 1 MB, and the mapping may drop
 * items (posts being deleted, other entities in a range), so one request may come back short with a
 * LastEvaluatedKey. Each request asks for what is still missing (`extra` more on the first, e.g. for a profile
 * that sorts first). Answers the items and where the target goes on (null: at its end).
 */
export async function queryUntil<T>(
  target: QueryTarget,
  read: ItemReader<T>,
  wanted: number,
  options: QueryOptions = {},
  extra = 0,
): Promise<{ items: T[]; next: StartKey | null }> {
  const items: T[] = [];
  let next: StartKey | null = null;
  let first = true;
  const nextLimit = () => {
    const limit = wanted - items.length + (first ? extra : 0);
    first = false;
    return limit;
  };
  for await (const page of queryPages(target, read, options, nextLimit)) {
    items.push(...page.items);
    next = page.next;
    if (items.length >= wanted) break;
  }
  return { items, next };
}

/** How many items a Query matches: `Select: COUNT`, page after page (one request per 1 MB of items read). */
export async function countItems(target: QueryTarget): Promise<number> {
  let count = 0;
  for await (const result of requests({ ...queryInput(target, {}), Select: "COUNT" })) count += result.Count ?? 0;
  return count;
}
