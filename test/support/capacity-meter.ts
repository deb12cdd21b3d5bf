import { randomUUID } from "node:crypto";
import {
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  type AttributeValue,
  type QueryCommandInput,
} from "@aws-sdk/client-dynamodb";
import { config } from "../../shared/config";
import { dynamoDb } from "../../shared/db/client";
import { tableDesign } from "../../shared/db/table-design";
import { itemSize, readUnitsOf, writeUnitsOf } from "./item-size";

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
// How items are sized: reads are replayed by a side client that this middleware does not see, without the
// projection and the filter (a Query again from the same start key, `Limit` = the items the original evaluated),
// so every byte DynamoDB read is sized; writes are sized from the item as stored before the write (read by the
// side client first) and after it (read again, or the put's own item). The extra reads cost the benchmark and
// the tests only, never a deployed function, and they are exact while no other writer changes the same items in
// between (benchmarks measure one request at a time).

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
}

type Item = Record<string, AttributeValue>;
type Input = Record<string, unknown>;

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

async function storedItem(table: string, key: Item): Promise<Item | undefined> {
  return (await sideClient.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
}

const sizeOf = (item: Item | undefined): number => (item ? itemSize(item) : 0);

/** Items a Query or Scan read: the same request again, whole items, as many as it evaluated. */
async function itemsEvaluated(command: "Query" | "Scan", input: Input, evaluated: number): Promise<Item[]> {
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
    TableName: input.TableName as string,
    ...(typeof input.IndexName === "string" ? { IndexName: input.IndexName } : {}),
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
    const result = await sideClient.send(command === "Query" ? new QueryCommand(page) : new ScanCommand(page));
    items.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
    if (!startKey) break;
  }
  return items;
}

interface WriteTarget {
  table: string;
  key: Item;
  kind: "put" | "update" | "delete" | "check";
  /** The item a put writes. */
  newItem?: Item;
}

/** The items the writes will touch, as stored before the write. */
async function targetsBefore(targets: WriteTarget[]): Promise<(Item | undefined)[]> {
  return Promise.all(targets.map((target) => storedItem(target.table, target.key)));
}

async function sizesAfter(targets: WriteTarget[], before: (Item | undefined)[], succeeded: boolean): Promise<number[]> {
  return Promise.all(
    targets.map(async (target, i) => {
      const beforeSize = sizeOf(before[i]);
      // A rejected write of an absent item bills one unit (size 0 rounds up to it).
      if (!succeeded && before[i] === undefined) return 0;
      if (target.kind === "put") return Math.max(beforeSize, sizeOf(target.newItem));
      if (target.kind === "update" && succeeded)
        return Math.max(beforeSize, sizeOf(await storedItem(target.table, target.key)));
      return beforeSize;
    }),
  );
}

function writeTargetsOf(command: string, input: Input): WriteTarget[] {
  const table = typeof input.TableName === "string" ? input.TableName : "";
  switch (command) {
    case "PutItem":
      return [{ table, key: keyOf(input.Item as Item), kind: "put", newItem: input.Item as Item }];
    case "UpdateItem":
      return [{ table, key: input.Key as Item, kind: "update" }];
    case "DeleteItem":
      return [{ table, key: input.Key as Item, kind: "delete" }];
    case "BatchWriteItem":
      return Object.entries(
        input.RequestItems as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>,
      ).flatMap(([name, requests]) =>
        requests.map((request): WriteTarget =>
          request.PutRequest
            ? { table: name, key: keyOf(request.PutRequest.Item), kind: "put", newItem: request.PutRequest.Item }
            : { table: name, key: request.DeleteRequest!.Key, kind: "delete" },
        ),
      );
    case "TransactWriteItems":
      return (input.TransactItems as Record<string, Input>[]).map((entry): WriteTarget => {
        const [kind, action] = Object.entries(entry)[0]!;
        const name = String(action.TableName);
        if (kind === "Put")
          return { table: name, key: keyOf(action.Item as Item), kind: "put", newItem: action.Item as Item };
        if (kind === "Update") return { table: name, key: action.Key as Item, kind: "update" };
        if (kind === "Delete") return { table: name, key: action.Key as Item, kind: "delete" };
        return { table: name, key: action.Key as Item, kind: "check" };
      });
    default:
      return [];
  }
}

const WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"]);

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

async function meterRead(
  command: string,
  input: Input,
  output: unknown,
): Promise<Pick<MeteredRequest, "readUnits" | "itemsRead" | "bytesRead">> {
  const factor = (consistent: unknown) => (consistent === true ? 1 : 0.5);
  if (command === "GetItem") {
    const item = await storedItem(String(input.TableName), input.Key as Item);
    return {
      readUnits: readUnitsOf(sizeOf(item)) * factor(input.ConsistentRead),
      itemsRead: item ? 1 : 0,
      bytesRead: sizeOf(item),
    };
  }
  if (command === "BatchGetItem") {
    const skipped = unprocessedKeys(output);
    let readUnits = 0;
    let itemsRead = 0;
    let bytesRead = 0;
    for (const [table, request] of Object.entries(
      input.RequestItems as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>,
    )) {
      for (const key of request.Keys.filter((key) => !skipped.has(keyText(key)))) {
        const item = await storedItem(table, key);
        readUnits += readUnitsOf(sizeOf(item)) * factor(request.ConsistentRead);
        itemsRead += item ? 1 : 0;
        bytesRead += sizeOf(item);
      }
    }
    return { readUnits, itemsRead, bytesRead };
  }
  if (command === "TransactGetItems") {
    const items = await Promise.all(
      (input.TransactItems as { Get: { TableName: string; Key: Item } }[]).map((entry) =>
        storedItem(entry.Get.TableName, entry.Get.Key),
      ),
    );
    return {
      readUnits: items.reduce((sum, item) => sum + 2 * readUnitsOf(sizeOf(item)), 0),
      itemsRead: items.filter(Boolean).length,
      bytesRead: items.reduce((sum, item) => sum + sizeOf(item), 0),
    };
  }
  if (command === "Query" || command === "Scan") {
    const evaluated = (output as { ScannedCount?: number } | undefined)?.ScannedCount ?? 0;
    const items = await itemsEvaluated(command, input, evaluated);
    const bytesRead = items.reduce((sum, item) => sum + itemSize(item), 0);
    return { readUnits: readUnitsOf(bytesRead) * factor(input.ConsistentRead), itemsRead: items.length, bytesRead };
  }
  return { readUnits: 0, itemsRead: 0, bytesRead: 0 };
}

function isRejectedWrite(error: unknown): boolean {
  return (
    error instanceof Error && ["ConditionalCheckFailedException", "TransactionCanceledException"].includes(error.name)
  );
}

/**
 * Meters every DynamoDB request made through the shared client (an SDK middleware at the build step, where the
 * input is in DynamoDB's own form): billed read and write units by AWS's rules, beside DynamoDB Local's figure.
 */
export function meterCapacity() {
  const requests: MeteredRequest[] = [];
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
      const command = String(context.commandName ?? "unknown").replace(/Command$/, "");
      const input = args.input as Input;
      const isWrite = WRITES.has(command);
      const targets = isWrite ? writeTargetsOf(command, input) : [];
      const before = isWrite ? await targetsBefore(targets) : [];
      const record = async (output: unknown, failed: boolean) => {
        const metered: MeteredRequest = {
          command,
          readUnits: 0,
          writeUnits: 0,
          localUnits: localUnitsOf(output),
          itemsRead: 0,
          bytesRead: 0,
          itemsWritten: 0,
          bytesWritten: 0,
          failed,
        };
        if (isWrite) {
          const skipped = unprocessedKeys(output);
          const billed = targets
            .map((target, i) => ({ target, i }))
            .filter(({ target }) => !skipped.has(keyText(target.key)));
          const sizes = await sizesAfter(
            billed.map(({ target }) => target),
            billed.map(({ i }) => before[i]),
            !failed,
          );
          const transactional = command === "TransactWriteItems" ? 2 : 1;
          metered.writeUnits = sizes.reduce((sum, size) => sum + transactional * writeUnitsOf(size), 0);
          metered.itemsWritten = sizes.length;
          metered.bytesWritten = sizes.reduce((sum, size) => sum + size, 0);
        } else if (!failed) {
          Object.assign(metered, await meterRead(command, input, output));
        }
        requests.push(metered);
      };
      try {
        const result = await next(args);
        await record(result.output, false);
        return result;
      } catch (error) {
        // A rejected conditional write bills all the same; other failures (validation, throttling) do not.
        if (isWrite && isRejectedWrite(error)) await record(undefined, true);
        throw error;
      }
    },
    { step: "build", name },
  );
  const sum = (field: "readUnits" | "writeUnits" | "localUnits" | "bytesRead" | "bytesWritten") =>
    requests.reduce((total, request) => total + request[field], 0);
  return {
    requests,
    reset: () => void requests.splice(0),
    commands: () => requests.map((request) => request.command),
    /** Billed units (reads + writes) of everything metered since the last reset. */
    billedUnits: () => sum("readUnits") + sum("writeUnits"),
    readUnits: () => sum("readUnits"),
    writeUnits: () => sum("writeUnits"),
    localUnits: () => sum("localUnits"),
    bytesRead: () => sum("bytesRead"),
    stop: () => {
      dynamoDb.middlewareStack.remove(name);
      dynamoDb.middlewareStack.remove(`${name}-ask`);
    },
  };
}
