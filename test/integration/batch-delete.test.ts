import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { batchDelete } from "../../shared/db/batch";
import { dynamoDb, documentClient, tableName } from "../../shared/db/client";

const keyOf = (i: number) => ({ pk: `TEST#batch`, sk: `ITEM#${String(i).padStart(3, "0")}` });

async function exists(i: number): Promise<boolean> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keyOf(i), ConsistentRead: true }),
  );
  return result.Item !== undefined;
}

/** DynamoDB may process only part of a batch; this makes it do so: each call processes at most `take` requests. */
function processOnlyPartOfEachBatch(take: number) {
  const name = `partial-batches-${Math.random()}`;
  const sizes: number[] = [];
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== "BatchWriteItemCommand") return next(args);
      const input = args.input as { RequestItems: Record<string, unknown[]> };
      const requests = input.RequestItems[tableName]!;
      sizes.push(requests.length);
      const rest = requests.slice(take);
      if (take === 0)
        return { output: { $metadata: {}, UnprocessedItems: { [tableName]: rest } }, response: {} } as never;
      const result = await next({
        ...args,
        input: { ...input, RequestItems: { [tableName]: requests.slice(0, take) } },
      });
      (result.output as { UnprocessedItems?: unknown }).UnprocessedItems = rest.length ? { [tableName]: rest } : {};
      return result;
    },
    { step: "initialize", name },
  );
  return { sizes, stop: () => dynamoDb.middlewareStack.remove(name) };
}

describe("batchDelete", () => {
  it("sends at most 25 deletes per call and resends the unprocessed ones until all are done", async () => {
    for (let i = 0; i < 60; i++) {
      await documentClient.send(new PutCommand({ TableName: tableName, Item: { ...keyOf(i), entityType: "test" } }));
    }
    const partial = processOnlyPartOfEachBatch(10);
    try {
      await batchDelete(Array.from({ length: 60 }, (_, i) => keyOf(i)));
    } finally {
      partial.stop();
    }
    // 25 -> 15 -> 5, 25 -> 15 -> 5, 10.
    expect(partial.sizes).toEqual([25, 15, 5, 25, 15, 5, 10]);
    for (let i = 0; i < 60; i++) expect(await exists(i)).toBe(false);
  });

  it("gives up with 503 unavailable when DynamoDB keeps leaving items unprocessed", async () => {
    await documentClient.send(new PutCommand({ TableName: tableName, Item: { ...keyOf(900), entityType: "test" } }));
    const stuck = processOnlyPartOfEachBatch(0);
    try {
      await expect(batchDelete([keyOf(900)], { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 })).rejects.toMatchObject({
        code: "unavailable",
      });
    } finally {
      stuck.stop();
    }
    expect(stuck.sizes).toEqual([1, 1, 1]);
    expect(await exists(900)).toBe(true);
  });
});
