import { randomUUID } from "node:crypto";
import {
  BatchGetItemCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  type AttributeValue,
  type QueryCommandInput,
} from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { config } from "../../shared/config";
import { dynamoDb } from "../../shared/db/client";
import { tableDesign } from "../../shared/db/table-design";
import { itemSize, readUnitsOf, writeUnitsOf } from "./item-size";
import { applyUpdate, UnsupportedUpdate } from "./update-expression";

// Capacity as AWS bills it, computed from the items themselves: DynamoDB Local's own ConsumedCapacity is not
// AWS's bill (a transaction of 1 or 20 puts reports 2 units alike; a rejected conditional write or an empty
// strongly consistent read reports none). The rules (Amazon DynamoDB Developer Guide, "Read and write operations",
// "Capacity management for transactions"):
// - reads: 4 KB units, an eventually consistent read half; GetItem and each BatchGetItem key per item, rounded up
//   per item (an absent item costs one unit); a Query or Scan on the summed size of every item it read (before
//   any filter or projection), rounded up once per request, at least one unit;
// - writes: 1 KB units per item rounded up; a put or an update at the larger of the item before and after, a
//   delete at the item deleted (one unit when absent); a rejected conditional write still bills (the larger of the
//   item as stored and the item it would have written, one unit when absent);
// - transactions: twice per item (prepare and commit), a ConditionCheck at the checked item's size. A transaction
//   cancelled by a condition is billed here as a rejected conditional write of each of its items, twice (AWS
//   publishes no figure for it; this bills the prepare and the cancel of every item, an upper bound).
//
// How items are sized, two ways that bill alike (test/integration/capacity-meter.test.ts compares them request by
// request over a mixed workload):
// - `cache` (the default): from what the requests themselves carry and answer, never reading again what can be
//   known. A put's item is in the request; a read without a projection answers the very items it read; ReturnValues
//   (where the code asks for them) and the item a failed condition hands back tell the item as stored; an update's
//   result is the item before with the UpdateExpression applied (update-expression.ts); a successful write
//   conditioned on `attribute_not_exists` of a key found nothing. Everything the meter sees written or read whole
//   goes into a cache of items, from which the item before a write is known. Only what none of these tells (a
//   write to an item the meter never saw, a Query with a projection or a filter or `Select: COUNT`, an item two
//   writes raced for) is read again by a side client, and counted (`sideReads`).
// - `re-read` (the reference): every item is read again by the side client, before a write (and after an update)
//   and after a read; a Query again from the same start key without the projection and the filter, `Limit` = the
//   items the original evaluated, so every byte DynamoDB read is sized.
// The side client's reads are not metered and cost the benchmark and the tests only, never a deployed function.
// Both are exact while no other writer changes the same items in between; the cache forgets an item that two
// metered writes touched at once, and an item read while a write to it was under way.

export interface MeteredRequest {
  command: string;
  /** Billed read units, as AWS's rules give them for the items read. */
  readUnits: number;
  /** Billed write units, as AWS's rules give them for the items written. */
  writeUnits: number;
  /** What DynamoDB Local reported (ConsumedCapacity), for comparison. */
  localUnits: number;
  /** Items read and their summed size (bytes, DynamoDB's item-size rules). */
  itemsRead: number;
  bytesRead: number;
  /** Items written and their summed size (the larger of before and after). */
  itemsWritten: number;
  bytesWritten: number;
  /** Whether the request failed (a rejected condition, a cancelled transaction). */
  failed: boolean;
  /** Each item the request's write units were billed for: its key (as text: `pk`, `sk`) and its units. */
  writes: { pk: string; sk: string; units: number }[];
  /** What the `tag` option named the request (a benchmark's profile: the phase that sent it). */
  tag?: string;
}

export type Sizing = "cache" | "re-read";

export interface MeterOptions {
  /** How items are sized: from the requests and a cache (default), or by reading every item again (reference). */
  sizing?: Sizing;
  /**
   * The table was empty when the meter started, and every write to it goes through the shared client (a benchmark
   * that seeds a fresh table with the meter on): a key the meter never saw written is absent, not read. Cache
   * sizing only.
   */
  tableStartsEmpty?: boolean;
  /**
   * Names each request (given the SDK's context of the request, the same object in each of its middlewares): kept
   * on the metered request, for a benchmark's profile by phase.
   */
  tag?: (context: object) => string | undefined;
}

/** The meter's own reads through the side client (not metered), by why they were needed. */
export interface SideReads {
  requests: number;
  byReason: Record<string, number>;
}

type Item = Record<string, AttributeValue>;
type Input = Record<string, unknown>;
/** What a read found at a key: the item, or null when absent. */
type Found = Item | null;

const sideClient = new DynamoDBClient({
  region: config.AWS_REGION,
  ...(config.DYNAMODB_ENDPOINT
    ? { endpoint: config.DYNAMODB_ENDPOINT, credentials: { accessKeyId: "local", secretAccessKey: "local" } }
    : {}),
});

const keyOf = (item: Item): Item => {
  const key: Item = { [tableDesign.partitionKey]: item[tableDesign.partitionKey]! };
  if (item[tableDesign.sortKey]) key[tableDesign.sortKey] = item[tableDesign.sortKey]!;
  return key;
};

const keyText = (key: Record<string, unknown>): string =>
  [tableDesign.partitionKey, tableDesign.sortKey]
    .map((name) => {
      const part = key[name];
      return typeof part === "object" && part !== null && "S" in part
        ? String((part as { S: string }).S)
        : String(part);
    })
    .join("\u0000");

/** One part of a key as text ("" when the key lacks it). */
const keyPart = (key: Item, name: string): string => key[name]?.S ?? "";

/** A string of the request (a table's name, an expression); "" when it holds none. */
const text = (value: unknown): string => (typeof value === "string" ? value : "");

const cacheKey = (table: string, key: Record<string, unknown>): string => `${table}\u0001${keyText(key)}`;

const sizeOf = (item: Found | undefined): number => (item ? itemSize(item) : 0);

/** Items as DynamoDB holds them: the document client hands results back converted to plain values. */
const asStored = (item: Record<string, unknown>, converted: boolean): Item =>
  converted ? marshall(item, { removeUndefinedValues: true }) : (item as Item);

// ---- the billing rules, the same whichever way items are sized

/** One item a write touched, as the rules bill it: the item before, and after (puts and updates that went through). */
interface WriteSizes {
  before: Found;
  after?: Found;
}

function billedBytes(kind: WriteTarget["kind"], sizes: WriteSizes, succeeded: boolean, newItem?: Item): number {
  // A rejected write of an absent item bills one unit (size 0 rounds up to it).
  if (!succeeded && sizes.before === null) return 0;
  if (kind === "put") return Math.max(sizeOf(sizes.before), sizeOf(newItem));
  if (kind === "update" && succeeded) return Math.max(sizeOf(sizes.before), sizeOf(sizes.after));
  return sizeOf(sizes.before);
}

/** A read's items: point reads (GetItem, each BatchGetItem or TransactGetItems key) or the items a range read. */
type ReadSizes =
  { point: { found: Found; factor: number }[] } | { range: { bytes: number; items: number; factor: number } };

function billRead(command: string, sizes: ReadSizes): Pick<MeteredRequest, "readUnits" | "itemsRead" | "bytesRead"> {
  if ("range" in sizes) {
    const { bytes, items, factor } = sizes.range;
    return { readUnits: readUnitsOf(bytes) * factor, itemsRead: items, bytesRead: bytes };
  }
  const transactional = command === "TransactGetItems" ? 2 : 1;
  return {
    readUnits: sizes.point.reduce(
      (sum, { found, factor }) => sum + transactional * factor * readUnitsOf(sizeOf(found)),
      0,
    ),
    itemsRead: sizes.point.filter(({ found }) => found !== null).length,
    bytesRead: sizes.point.reduce((sum, { found }) => sum + sizeOf(found), 0),
  };
}

// ---- what a request touches

interface WriteTarget {
  table: string;
  key: Item;
  kind: "put" | "update" | "delete" | "check";
  /** The item a put writes. */
  newItem?: Item;
  /** The action as sent (condition, update expression, names, values, ReturnValues...). */
  action: Input;
}

function writeTargetsOf(command: string, input: Input): WriteTarget[] {
  const table = text(input.TableName);
  switch (command) {
    case "PutItem":
      return [{ table, key: keyOf(input.Item as Item), kind: "put", newItem: input.Item as Item, action: input }];
    case "UpdateItem":
      return [{ table, key: input.Key as Item, kind: "update", action: input }];
    case "DeleteItem":
      return [{ table, key: input.Key as Item, kind: "delete", action: input }];
    case "BatchWriteItem":
      return Object.entries(
        input.RequestItems as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>,
      ).flatMap(([name, requests]) =>
        requests.map((request): WriteTarget =>
          request.PutRequest
            ? {
                table: name,
                key: keyOf(request.PutRequest.Item),
                kind: "put",
                newItem: request.PutRequest.Item,
                action: {},
              }
            : { table: name, key: request.DeleteRequest!.Key, kind: "delete", action: {} },
        ),
      );
    case "TransactWriteItems":
      return (input.TransactItems as Record<string, Input>[]).map((entry): WriteTarget => {
        const [kind, action] = Object.entries(entry)[0]!;
        const name = text(action.TableName);
        if (kind === "Put")
          return { table: name, key: keyOf(action.Item as Item), kind: "put", newItem: action.Item as Item, action };
        if (kind === "Update") return { table: name, key: action.Key as Item, kind: "update", action };
        if (kind === "Delete") return { table: name, key: action.Key as Item, kind: "delete", action };
        return { table: name, key: action.Key as Item, kind: "check", action };
      });
    default:
      return [];
  }
}

const WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"]);
const READS = new Set(["GetItem", "BatchGetItem", "TransactGetItems", "Query", "Scan"]);

function localUnitsOf(output: unknown): number {
  const consumed = (
    output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] } | undefined
  )?.ConsumedCapacity;
  return [consumed ?? []].flat().reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
}

/** Keys a BatchWriteItem or BatchGetItem left unprocessed (not billed), as key texts. */
function unprocessedKeys(output: unknown): Set<string> {
  const texts = new Set<string>();
  const result = output as
    | {
        UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }>;
        UnprocessedItems?: Record<
          string,
          { PutRequest?: { Item: Record<string, unknown> }; DeleteRequest?: { Key: Record<string, unknown> } }[]
        >;
      }
    | undefined;
  for (const table of Object.values(result?.UnprocessedKeys ?? {}))
    for (const key of table.Keys ?? []) texts.add(keyText(key));
  for (const requests of Object.values(result?.UnprocessedItems ?? {})) {
    for (const request of requests) texts.add(keyText(request.PutRequest?.Item ?? request.DeleteRequest?.Key ?? {}));
  }
  return texts;
}

function isRejectedWrite(error: unknown): boolean {
  return (
    error instanceof Error && ["ConditionalCheckFailedException", "TransactionCanceledException"].includes(error.name)
  );
}

const factor = (consistent: unknown) => (consistent === true ? 1 : 0.5);

/** Whether a write's condition, when it holds, says the item was absent (`attribute_not_exists` of a key). */
function conditionImpliesAbsent(action: Input): boolean {
  const condition = typeof action.ConditionExpression === "string" ? action.ConditionExpression : "";
  // Only a plain conjunction is read: with an OR or a NOT anywhere, nothing is inferred.
  if (!condition || /\b(OR|NOT)\b/i.test(condition)) return false;
  const names = (action.ExpressionAttributeNames ?? {}) as Record<string, string>;
  return condition.split(/\bAND\b/i).some((conjunct) => {
    const match = /^\s*\(?\s*attribute_not_exists\s*\(\s*(#?\w+)\s*\)\s*\)?\s*$/i.exec(conjunct);
    const name = match && (match[1]!.startsWith("#") ? names[match[1]!] : match[1]);
    return name === tableDesign.partitionKey || name === tableDesign.sortKey;
  });
}

/** Whether a read returns whole items (no projection): then what it answers is what it read. */
function readsWholeItems(request: { ProjectionExpression?: unknown; Select?: unknown; AttributesToGet?: unknown }) {
  return (
    request.ProjectionExpression === undefined &&
    request.AttributesToGet === undefined &&
    (request.Select === undefined ||
      request.Select === "ALL_ATTRIBUTES" ||
      request.Select === "ALL_PROJECTED_ATTRIBUTES")
  );
}

/** Whether a read's projection keeps the table's keys, so that each item it answers names its key. */
function projectionKeepsKeys(request: { ProjectionExpression?: unknown; ExpressionAttributeNames?: unknown }) {
  if (typeof request.ProjectionExpression !== "string") return false;
  const names = (request.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const kept = new Set(
    request.ProjectionExpression.split(",").map((path) => {
      const name = path.trim();
      return name.startsWith("#") ? names[name] : name;
    }),
  );
  return kept.has(tableDesign.partitionKey) && kept.has(tableDesign.sortKey);
}

// ---- the side client's reads (both ways of sizing use them; the reference for everything)

function sideReader() {
  const counts: SideReads = { requests: 0, byReason: {} };
  const count = (reason: string, requests = 1) => {
    counts.requests += requests;
    counts.byReason[reason] = (counts.byReason[reason] ?? 0) + requests;
  };
  async function storedItem(table: string, key: Item, reason: string): Promise<Found> {
    count(reason);
    return (
      (await sideClient.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item ?? null
    );
  }
  /** Several items at once (BatchGetItem, consistent), in the order asked. */
  async function storedItems(targets: { table: string; key: Item }[], reason: string): Promise<Found[]> {
    const found = new Map<string, Item>();
    for (let start = 0; start < targets.length; start += 100) {
      let pending: Record<string, { Keys: Item[]; ConsistentRead: true }> = {};
      for (const { table, key } of targets.slice(start, start + 100)) {
        pending[table] ??= { Keys: [], ConsistentRead: true };
        if (!pending[table].Keys.some((other) => keyText(other) === keyText(key))) pending[table].Keys.push(key);
      }
      while (Object.keys(pending).length > 0) {
        count(reason);
        const result = await sideClient.send(new BatchGetItemCommand({ RequestItems: pending }));
        for (const [table, items] of Object.entries(result.Responses ?? {}))
          for (const item of items) found.set(cacheKey(table, item), item);
        pending = {};
        for (const [table, request] of Object.entries(result.UnprocessedKeys ?? {}))
          if (request.Keys?.length) pending[table] = { Keys: request.Keys, ConsistentRead: true };
      }
    }
    return targets.map(({ table, key }) => found.get(cacheKey(table, key)) ?? null);
  }
  /** Items a Query or Scan read: the same request again, whole items, as many as it evaluated. */
  async function itemsEvaluated(
    command: "Query" | "Scan",
    input: Input,
    evaluated: number,
    reason: string,
  ): Promise<Item[]> {
    if (evaluated === 0) return [];
    const keyCondition = typeof input.KeyConditionExpression === "string" ? input.KeyConditionExpression : "";
    // Only the placeholders the key condition uses: DynamoDB refuses unused ones (the filter's are dropped).
    const used = <T>(map: unknown): Record<string, T> | undefined => {
      const entries = Object.entries((map ?? {}) as Record<string, T>).filter(([placeholder]) =>
        keyCondition.split(/[^#:\w]+/).includes(placeholder),
      );
      return entries.length > 0 ? Object.fromEntries(entries) : undefined;
    };
    const replay: QueryCommandInput = {
      TableName: text(input.TableName),
      ...(input.IndexName ? { IndexName: text(input.IndexName) } : {}),
      ...(keyCondition ? { KeyConditionExpression: keyCondition } : {}),
      ExpressionAttributeNames: used<string>(input.ExpressionAttributeNames),
      ExpressionAttributeValues: used<AttributeValue>(input.ExpressionAttributeValues),
      ...(input.ScanIndexForward !== undefined ? { ScanIndexForward: Boolean(input.ScanIndexForward) } : {}),
      ...(input.ConsistentRead !== undefined ? { ConsistentRead: Boolean(input.ConsistentRead) } : {}),
      ...(input.ExclusiveStartKey ? { ExclusiveStartKey: input.ExclusiveStartKey as Item } : {}),
      ...(input.Segment !== undefined
        ? { Segment: Number(input.Segment), TotalSegments: Number(input.TotalSegments) }
        : {}),
    };
    const items: Item[] = [];
    let startKey = replay.ExclusiveStartKey;
    while (items.length < evaluated) {
      const page = { ...replay, Limit: evaluated - items.length, ...(startKey ? { ExclusiveStartKey: startKey } : {}) };
      count(reason);
      const result = await sideClient.send(command === "Query" ? new QueryCommand(page) : new ScanCommand(page));
      items.push(...(result.Items ?? []));
      startKey = result.LastEvaluatedKey;
      if (!startKey) break;
    }
    return items;
  }
  return { counts, storedItem, storedItems, itemsEvaluated };
}
type SideReader = ReturnType<typeof sideReader>;

// ---- sizing by reading every item again (the reference)

interface Sizer {
  /** A mark taken as a read is sent, handed back to `read`. */
  readSent(): number;
  /** Sizes what a read read, once it answered (`since`: the mark taken as it was sent). */
  read(command: string, input: Input, output: Input, converted: boolean, since: number): Promise<ReadSizes>;
  /** Called before a write is sent; answers how to size its targets once it is settled. */
  beforeWrite(command: string, targets: WriteTarget[]): Promise<WriteSettlement>;
}

interface WriteSettlement {
  /** The sizes of the billed targets (index-aligned with `billed`), once the write went through or was rejected. */
  settle(
    billed: number[],
    outcome: { succeeded: true; output: Input; converted: boolean } | { succeeded: false; error: unknown },
  ): Promise<WriteSizes[]>;
  /** The write failed otherwise (throttled, a fault): nothing is known of what it did. */
  abandon(): void;
}

function reReadingSizer(side: SideReader): Sizer {
  return {
    readSent: () => 0,
    async read(command, input, output) {
      if (command === "GetItem") {
        const found = await side.storedItem(text(input.TableName), input.Key as Item, "GetItem");
        return { point: [{ found, factor: factor(input.ConsistentRead) }] };
      }
      if (command === "BatchGetItem") {
        const point: { found: Found; factor: number }[] = [];
        const skipped = unprocessedKeys(output);
        for (const [table, request] of Object.entries(
          input.RequestItems as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>,
        )) {
          for (const key of request.Keys.filter((key) => !skipped.has(keyText(key)))) {
            point.push({
              found: await side.storedItem(table, key, "BatchGetItem"),
              factor: factor(request.ConsistentRead),
            });
          }
        }
        return { point };
      }
      if (command === "TransactGetItems") {
        const point = await Promise.all(
          (input.TransactItems as { Get: { TableName: string; Key: Item } }[]).map(async (entry) => ({
            found: await side.storedItem(entry.Get.TableName, entry.Get.Key, "TransactGetItems"),
            factor: 1,
          })),
        );
        return { point };
      }
      const evaluated = Number(output.ScannedCount ?? 0);
      const items = await side.itemsEvaluated(command as "Query" | "Scan", input, evaluated, command);
      const bytes = items.reduce((sum, item) => sum + itemSize(item), 0);
      return { range: { bytes, items: items.length, factor: factor(input.ConsistentRead) } };
    },
    async beforeWrite(_command, targets) {
      const before = await Promise.all(
        targets.map((target) => side.storedItem(target.table, target.key, "before a write")),
      );
      return {
        async settle(billed, outcome) {
          return Promise.all(
            billed.map(async (i) => {
              const target = targets[i]!;
              const sizes: WriteSizes = { before: before[i] ?? null };
              if (target.kind === "update" && outcome.succeeded)
                sizes.after = await side.storedItem(target.table, target.key, "after an update");
              return sizes;
            }),
          );
        },
        abandon() {},
      };
    },
  };
}

// ---- sizing from the requests and a cache

const UNKNOWN = Symbol("unknown");

/** What the meter knows of one key: its item (or unknown), and the writes to it under way. */
interface Entry {
  found: Found | typeof UNKNOWN;
  writing: number;
  /** Two writes were under way at once: either may have landed last. */
  raced: boolean;
  /** When the last write to it started (the cache's clock). */
  lastWrite: number;
}

/**
 * The items the meter has seen, by table and key (null: known absent). An item two metered writes touched at once
 * is forgotten when they are done (either may have landed last), and a read does not teach an item a write was
 * changing while the read was under way. A key never seen is unknown, or absent when the table started empty.
 */
class ItemCache {
  private readonly entries = new Map<string, Entry>();
  private clock = 0;

  constructor(private readonly startsEmpty: boolean) {}

  get(key: string): Found | undefined {
    const entry = this.entries.get(key);
    if (!entry) return this.startsEmpty ? null : undefined;
    return entry.writing > 0 || entry.found === UNKNOWN ? undefined : entry.found;
  }
  /** A mark to pass to `learn` from a read that is sent now. */
  readStarts(): number {
    return this.clock;
  }
  /** What a read sent at `since` found at `key`, unless a write to it started after that or is under way. */
  learn(key: string, found: Found, since: number): void {
    const entry = this.entries.get(key);
    if (!entry) this.entries.set(key, { found, writing: 0, raced: false, lastWrite: -1 });
    else if (entry.writing === 0 && entry.lastWrite <= since) entry.found = found;
  }
  writeStarts(keys: string[]): void {
    for (const key of keys) {
      let entry = this.entries.get(key);
      if (!entry) {
        entry = { found: this.startsEmpty ? null : UNKNOWN, writing: 0, raced: false, lastWrite: -1 };
        this.entries.set(key, entry);
      }
      if (entry.writing > 0) entry.raced = true;
      entry.writing++;
      entry.lastWrite = ++this.clock;
    }
  }
  /** A write is settled: each key's item is now `after[i]` (undefined: unknown). */
  writeEnds(keys: string[], after: (Found | undefined)[]): void {
    keys.forEach((key, i) => {
      const entry = this.entries.get(key)!;
      entry.writing--;
      const known = after[i];
      entry.found = entry.raced || known === undefined ? UNKNOWN : known;
      if (entry.writing === 0) entry.raced = false;
    });
  }
  get size(): number {
    return this.entries.size;
  }
}

function cachingSizer(side: SideReader, cache: ItemCache): Sizer {
  /** An item the cache does not know: read again (counted), and remembered. */
  const readAgain = async (table: string, key: Item, reason: string): Promise<Found> => {
    const since = cache.readStarts();
    const found = await side.storedItem(table, key, reason);
    cache.learn(cacheKey(table, key), found, since);
    return found;
  };
  const known = async (table: string, key: Item, reason: string): Promise<Found> =>
    cache.get(cacheKey(table, key)) ?? (await readAgain(table, key, reason));

  return {
    readSent: () => cache.readStarts(),
    async read(command, input, output, converted, since) {
      // Nothing is learnt of items a write was changing while the read was under way.
      const asItem = (item: Record<string, unknown>) => asStored(item, converted);
      if (command === "GetItem") {
        const table = text(input.TableName);
        const key = input.Key as Item;
        const answered = output.Item as Record<string, unknown> | undefined;
        let found: Found;
        if (!answered) found = null;
        else if (readsWholeItems(input)) found = asItem(answered);
        else
          return {
            point: [
              { found: await known(table, key, "GetItem with a projection"), factor: factor(input.ConsistentRead) },
            ],
          };
        cache.learn(cacheKey(table, key), found, since);
        return { point: [{ found, factor: factor(input.ConsistentRead) }] };
      }
      if (command === "BatchGetItem") {
        const skipped = unprocessedKeys(output);
        const responses = (output.Responses ?? {}) as Record<string, Record<string, unknown>[]>;
        const point: { found: Found; factor: number }[] = [];
        for (const [table, request] of Object.entries(
          input.RequestItems as Record<
            string,
            { Keys: Item[]; ConsistentRead?: boolean; ProjectionExpression?: string }
          >,
        )) {
          const whole = readsWholeItems(request);
          const answered = new Map(
            (responses[table] ?? []).map((item) => {
              const stored = asItem(item);
              return [keyText(stored), stored] as const;
            }),
          );
          for (const key of request.Keys.filter((key) => !skipped.has(keyText(key)))) {
            let found: Found;
            if (whole) {
              found = answered.get(keyText(key)) ?? null;
              cache.learn(cacheKey(table, key), found, since);
            } else {
              // A projection that keeps the keys tells an absent item; the size of one found is another matter.
              found =
                projectionKeepsKeys(request) && !answered.has(keyText(key))
                  ? null
                  : await known(table, key, "BatchGetItem with a projection");
            }
            point.push({ found, factor: factor(request.ConsistentRead) });
          }
        }
        return { point };
      }
      if (command === "TransactGetItems") {
        const responses = (output.Responses ?? []) as { Item?: Record<string, unknown> }[];
        const point = await Promise.all(
          (input.TransactItems as { Get: { TableName: string; Key: Item; ProjectionExpression?: string } }[]).map(
            async (entry, i) => {
              const answered = responses[i]?.Item;
              let found: Found;
              if (!answered) found = null;
              else if (readsWholeItems(entry.Get)) found = asItem(answered);
              else
                return {
                  found: await known(entry.Get.TableName, entry.Get.Key, "TransactGetItems with a projection"),
                  factor: 1,
                };
              cache.learn(cacheKey(entry.Get.TableName, entry.Get.Key), found, since);
              return { found, factor: 1 };
            },
          ),
        );
        return { point };
      }
      // Query and Scan.
      const evaluated = Number(output.ScannedCount ?? 0);
      const answered = ((output.Items ?? []) as Record<string, unknown>[]).map(asItem);
      const table = text(input.TableName);
      const onBaseTable = input.IndexName === undefined;
      const items = async (): Promise<Item[]> => {
        if (readsWholeItems(input) && answered.length === evaluated) return answered;
        // A projection that keeps the base table's keys, no filter: each item from the cache, if it knows them all.
        if (onBaseTable && answered.length === evaluated && projectionKeepsKeys(input)) {
          const cached = answered.map((item) => cache.get(cacheKey(table, keyOf(item))));
          if (cached.every((item) => item)) return cached as Item[];
        }
        return side.itemsEvaluated(
          command as "Query" | "Scan",
          input,
          evaluated,
          `${command} with a projection, filter or count`,
        );
      };
      const read = await items();
      if (onBaseTable) for (const item of read) cache.learn(cacheKey(table, keyOf(item)), item, since);
      return {
        range: {
          bytes: read.reduce((sum, item) => sum + itemSize(item), 0),
          items: read.length,
          factor: factor(input.ConsistentRead),
        },
      };
    },

    async beforeWrite(command, targets) {
      const keys = targets.map((target) => cacheKey(target.table, target.key));
      // What the cache knows now, before this write is under way; what a successful write will tell otherwise.
      const before: (Found | undefined)[] = keys.map((key) => cache.get(key));
      const askedOld = (target: WriteTarget) => target.action.ReturnValues === "ALL_OLD";
      const toldOnSuccess = (target: WriteTarget) =>
        conditionImpliesAbsent(target.action) || (command !== "TransactWriteItems" && askedOld(target));
      // Nothing else tells the item before a write that goes through: read it now (one request for them all).
      const unknown = targets.flatMap((target, i) => (before[i] === undefined && !toldOnSuccess(target) ? [i] : []));
      const found = await side.storedItems(
        unknown.map((i) => targets[i]!),
        "before a write to an item the cache does not know",
      );
      unknown.forEach((i, n) => (before[i] = found[n]!));
      cache.writeStarts(keys);
      let settled = false;
      return {
        async settle(billed, outcome) {
          settled = true;
          const billedSet = new Set(billed);
          const after: (Found | undefined)[] = targets.map(() => undefined);
          if (outcome.succeeded) {
            const returned = outcome.output.Attributes as Record<string, unknown> | undefined;
            await Promise.all(
              targets.map(async (target, i) => {
                if (!billedSet.has(i)) {
                  // Left unprocessed: not written.
                  after[i] = before[i];
                  return;
                }
                if (before[i] === undefined) {
                  if (askedOld(target) && command !== "TransactWriteItems")
                    before[i] = returned ? asStored(returned, outcome.converted) : null;
                  else before[i] = null; // attribute_not_exists of a key held.
                }
                if (target.kind === "put") after[i] = target.newItem!;
                else if (target.kind === "delete") after[i] = null;
                else if (target.kind === "check") after[i] = before[i];
                else if (target.action.ReturnValues === "ALL_NEW" && returned)
                  after[i] = asStored(returned, outcome.converted);
                else {
                  try {
                    after[i] = applyUpdate(
                      before[i] ?? undefined,
                      target.key,
                      text(target.action.UpdateExpression),
                      target.action.ExpressionAttributeNames as Record<string, string> | undefined,
                      target.action.ExpressionAttributeValues as Record<string, AttributeValue> | undefined,
                    );
                  } catch (error) {
                    if (!(error instanceof UnsupportedUpdate)) throw error;
                    after[i] = await side.storedItem(
                      target.table,
                      target.key,
                      "after an update the meter cannot apply",
                    );
                  }
                }
              }),
            );
          } else {
            // Rejected: nothing was written. What the failed condition handed back, else the item read now.
            const handedBack = oldItemsOf(outcome.error, targets.length);
            await Promise.all(
              targets.map(async (target, i) => {
                if (before[i] === undefined)
                  before[i] =
                    handedBack[i] ?? (await side.storedItem(target.table, target.key, "after a rejected write"));
                after[i] = before[i];
              }),
            );
          }
          cache.writeEnds(keys, after);
          return billed.map((i) => ({
            before: before[i] ?? null,
            ...(after[i] !== undefined ? { after: after[i]! } : {}),
          }));
        },
        abandon() {
          if (!settled)
            cache.writeEnds(
              keys,
              keys.map(() => undefined),
            );
        },
      };
    },
  };
}

/** The items a rejected write handed back (ReturnValuesOnConditionCheckFailure: ALL_OLD), by target. */
function oldItemsOf(error: unknown, targets: number): (Item | undefined)[] {
  const items: (Item | undefined)[] = Array.from({ length: targets }, () => undefined);
  if (!(error instanceof Error)) return items;
  const single = Reflect.get(error, "Item") as Item | undefined;
  if (error.name === "ConditionalCheckFailedException" && single) items[0] = single;
  const reasons = Reflect.get(error, "CancellationReasons") as { Item?: Item }[] | undefined;
  reasons?.forEach((reason, i) => {
    if (reason.Item) items[i] = reason.Item;
  });
  return items;
}

/** Whether the document client converted this request's results to plain values (they are sized as stored). */
function convertedByDocumentClient(context: unknown): boolean {
  const features = (context as { __aws_sdk_context?: { features?: Record<string, string> } }).__aws_sdk_context
    ?.features;
  return features?.DDB_MAPPER === "d";
}

/**
 * Meters every DynamoDB request made through the shared client (an SDK middleware at the build step, where the
 * input is in DynamoDB's own form): billed read and write units by AWS's rules, beside DynamoDB Local's figure.
 */
export function meterCapacity(options: MeterOptions = {}) {
  const sizing = options.sizing ?? "cache";
  const requests: MeteredRequest[] = [];
  const side = sideReader();
  const cache = new ItemCache(options.tableStartsEmpty ?? false);
  const sizer = sizing === "cache" ? cachingSizer(side, cache) : reReadingSizer(side);
  const name = `capacityMeter-${randomUUID()}`;
  dynamoDb.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Input;
      if (!("ReturnConsumedCapacity" in input)) input.ReturnConsumedCapacity = "TOTAL";
      return next(args);
    },
    { step: "initialize", name: `${name}-ask` },
  );
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      const tag = options.tag?.(context);
      const command = String(context.commandName ?? "unknown").replace(/Command$/, "");
      const input = args.input as Input;
      const isWrite = WRITES.has(command);
      const targets = isWrite ? writeTargetsOf(command, input) : [];
      const settlement = isWrite ? await sizer.beforeWrite(command, targets) : undefined;
      const since = sizer.readSent();
      const metered: MeteredRequest = {
        command,
        readUnits: 0,
        writeUnits: 0,
        localUnits: 0,
        itemsRead: 0,
        bytesRead: 0,
        itemsWritten: 0,
        bytesWritten: 0,
        failed: false,
        writes: [],
        ...(tag !== undefined ? { tag } : {}),
      };
      const recordWrite = async (
        outcome: { succeeded: true; output: Input; converted: boolean } | { succeeded: false; error: unknown },
      ) => {
        const skipped = unprocessedKeys(outcome.succeeded ? outcome.output : undefined);
        const billed = targets.flatMap((target, i) => (skipped.has(keyText(target.key)) ? [] : [i]));
        const sizes = await settlement!.settle(billed, outcome);
        const transactional = command === "TransactWriteItems" ? 2 : 1;
        const bytes = billed.map((i, n) =>
          billedBytes(targets[i]!.kind, sizes[n]!, outcome.succeeded, targets[i]!.newItem),
        );
        metered.writes = billed.map((i, n) => ({
          pk: keyPart(targets[i]!.key, tableDesign.partitionKey),
          sk: keyPart(targets[i]!.key, tableDesign.sortKey),
          units: transactional * writeUnitsOf(bytes[n]!),
        }));
        metered.writeUnits = metered.writes.reduce((sum, write) => sum + write.units, 0);
        metered.itemsWritten = bytes.length;
        metered.bytesWritten = bytes.reduce((sum, size) => sum + size, 0);
      };
      let result;
      try {
        result = await next(args);
      } catch (error) {
        // A rejected conditional write bills all the same; other failures (validation, throttling) do not.
        if (isWrite && isRejectedWrite(error)) {
          metered.failed = true;
          await recordWrite({ succeeded: false, error });
          requests.push(metered);
        } else settlement?.abandon();
        throw error;
      }
      const output: Input = { ...result.output };
      metered.localUnits = localUnitsOf(output);
      if (isWrite) await recordWrite({ succeeded: true, output, converted: convertedByDocumentClient(context) });
      else if (READS.has(command))
        Object.assign(
          metered,
          billRead(command, await sizer.read(command, input, output, convertedByDocumentClient(context), since)),
        );
      requests.push(metered);
      return result;
    },
    { step: "build", name },
  );
  const sum = (field: "readUnits" | "writeUnits" | "localUnits" | "bytesRead" | "bytesWritten") =>
    requests.reduce((total, request) => total + request[field], 0);
  return {
    sizing,
    requests,
    /** Forgets the requests metered (and the meter's own reads counted) so far; the cache keeps what it knows. */
    reset: () => {
      requests.splice(0);
      side.counts.requests = 0;
      side.counts.byReason = {};
    },
    commands: () => requests.map((request) => request.command),
    /** Billed units (reads + writes) of everything metered since the last reset. */
    billedUnits: () => sum("readUnits") + sum("writeUnits"),
    readUnits: () => sum("readUnits"),
    writeUnits: () => sum("writeUnits"),
    localUnits: () => sum("localUnits"),
    bytesRead: () => sum("bytesRead"),
    /** The meter's own reads (side client, not metered), by reason, since it started. */
    sideReads: (): SideReads => ({ requests: side.counts.requests, byReason: { ...side.counts.byReason } }),
    /** Items the cache holds (cache sizing). */
    cachedItems: () => cache.size,
    stop: () => {
      dynamoDb.middlewareStack.remove(name);
      dynamoDb.middlewareStack.remove(`${name}-ask`);
    },
  };
}
