import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { documentClient, tableName } from "../../shared/db/client";
import { meterCapacity, type Sizing } from "../support/capacity-meter";

// The meter the benchmarks bill with, checked on items of known sizes against AWS's published rules, whichever
// way it sizes them (from the requests and a cache, or by reading every item again).

let partition = 0;
const aPartition = () => `METER#${Date.now()}#${++partition}`;
/** An item of exactly `bytes` bytes by DynamoDB's rules: pk, sk and a string attribute `v`. */
const itemOf = (pk: string, sk: string, bytes: number) => ({
  pk,
  sk,
  v: "x".repeat(bytes - (2 + pk.length) - (2 + sk.length) - 1),
});
const put = (item: Record<string, unknown>) =>
  documentClient.send(new PutCommand({ TableName: tableName, Item: item }));

describe.each<Sizing>(["cache", "re-read"])("the capacity meter, sizing items by %s", (sizing) => {
  let meter: ReturnType<typeof meterCapacity>;
  beforeAll(() => {
    meter = meterCapacity({ sizing });
  });
  afterAll(() => meter.stop());
  beforeEach(() => meter.reset());

  it("bills a put by 1 KB units of the larger of the old and the new item", async () => {
    const pk = aPartition();
    await put(itemOf(pk, "A", 1500));
    await put(itemOf(pk, "A", 300));
    expect(meter.requests.map((request) => [request.command, request.writeUnits, request.bytesWritten])).toEqual([
      ["PutItem", 2, 1500],
      ["PutItem", 2, 1500],
    ]);
  });

  it("bills an update at the larger of before and after, and a rejected one all the same", async () => {
    const pk = aPartition();
    await put(itemOf(pk, "A", 900));
    meter.reset();
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk, sk: "A" },
        UpdateExpression: "SET w = :w",
        ExpressionAttributeValues: { ":w": "y".repeat(1000) },
      }),
    );
    await expect(
      documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk, sk: "B" },
          UpdateExpression: "SET w = :w",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":w": "y" },
        }),
      ),
    ).rejects.toMatchObject({ name: "ConditionalCheckFailedException" });
    expect(meter.requests.map((request) => [request.writeUnits, request.failed, request.localUnits])).toEqual([
      [2, false, 2],
      // DynamoDB Local reports nothing for a rejected write; AWS bills it.
      [1, true, 0],
    ]);
  });

  it("bills reads by 4 KB units: a GetItem per item, half when eventually consistent, one unit for nothing", async () => {
    const pk = aPartition();
    await put(itemOf(pk, "A", 5000));
    meter.reset();
    await documentClient.send(new GetCommand({ TableName: tableName, Key: { pk, sk: "A" }, ConsistentRead: true }));
    await documentClient.send(new GetCommand({ TableName: tableName, Key: { pk, sk: "A" } }));
    await documentClient.send(new GetCommand({ TableName: tableName, Key: { pk, sk: "none" }, ConsistentRead: true }));
    expect(meter.requests.map((request) => request.readUnits)).toEqual([2, 1, 1]);
  });

  it("bills a Query on every item it read, before the projection, rounded up once", async () => {
    const pk = aPartition();
    for (const sk of ["A", "B", "C"]) await put(itemOf(pk, sk, 2000));
    meter.reset();
    const result = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": pk },
        ProjectionExpression: "sk",
        ConsistentRead: true,
        Limit: 3,
      }),
    );
    expect(result.Items).toHaveLength(3);
    // 6,000 bytes read, 3 × 2 KB: two units (per item it would be three).
    expect(meter.requests.map((request) => [request.readUnits, request.bytesRead, request.itemsRead])).toEqual([
      [2, 6000, 3],
    ]);
  });

  it("bills a transaction twice per item, where DynamoDB Local reports one figure for any number", async () => {
    const pk = aPartition();
    await documentClient.send(
      new TransactWriteCommand({
        TransactItems: ["A", "B", "C", "D", "E", "F"].map((sk) => ({
          Put: { TableName: tableName, Item: itemOf(pk, sk, 100) },
        })),
      }),
    );
    // Six 100-byte items, twice each: 12 units; DynamoDB Local reports 2.
    expect(meter.requests.map((request) => [request.writeUnits, request.localUnits])).toEqual([[12, 2]]);
  });
});
