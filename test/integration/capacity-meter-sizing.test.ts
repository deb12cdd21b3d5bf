import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The capacity meter sizes items from the requests and a cache of what it saw (test/support/capacity-meter.ts);
// the reference reads every item again. Both meter the same mixed workload at once, here request by request: the
// benchmarks' bills stand on the cache's being the reference's, unit for unit and byte for byte. Items written
// before the meters watched (as a benchmark's seeding, here by a client they do not watch) are the cache's blind
// spot: it reads them once, and counts it.
vi.hoisted(() => {
  process.env.DELETION_NOTICE_LEADS = "PT3S,PT2S,PT1S";
});

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { RunningMailSink } from "../../infra/local/mail-sink";
import { config } from "../../shared/config";
import { tableName } from "../../shared/db/client";
import { meterCapacity } from "../support/capacity-meter";
import { aMixedWorkload, billsOf } from "../support/metered-workload";
import { theLocalMailSink } from "../support/notices";

/** A client the meters do not watch: what it writes, they have never seen. */
const unmetered = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: config.AWS_REGION,
    endpoint: config.DYNAMODB_ENDPOINT,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  }),
);
const reference = meterCapacity({ sizing: "re-read" });
const cached = meterCapacity();
let sink: RunningMailSink;
beforeAll(async () => {
  sink = await theLocalMailSink();
});
afterAll(async () => {
  reference.stop();
  cached.stop();
  await sink.stop();
});

describe("the capacity meter's two ways of sizing items", () => {
  it("bill a mixed workload alike, request by request, the cache reading a fraction of what the reference reads", async () => {
    await aMixedWorkload(async (items) => {
      await Promise.all(items.map((item) => unmetered.send(new PutCommand({ TableName: tableName, Item: item }))));
    });

    // Both meters billed every request, and alike.
    expect(cached.requests.length).toBe(reference.requests.length);
    expect(cached.requests.length).toBeGreaterThan(300);
    expect(new Set(cached.commands())).toEqual(
      new Set([
        "GetItem",
        "BatchGetItem",
        "Query",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
      ]),
    );
    expect(cached.requests.filter((request) => request.failed).length).toBeGreaterThan(0);
    expect(billsOf(cached.requests)).toEqual(billsOf(reference.requests));
    expect([cached.readUnits(), cached.writeUnits()]).toEqual([reference.readUnits(), reference.writeUnits()]);

    // The reference reads items again for most requests (a read that finds nothing, as a batch read of accounts
    // without shards, has nothing to read again); the cache a small part of that.
    const side = { cache: cached.sideReads(), reference: reference.sideReads() };
    console.info(
      `capacity meter, ${cached.requests.length} requests: side reads ${side.reference.requests} (re-read) vs ` +
        `${side.cache.requests} (cache): ${JSON.stringify(side.cache.byReason)}`,
    );
    expect(side.reference.requests).toBeGreaterThan(cached.requests.length / 2);
    expect(side.cache.requests).toBeLessThan(side.reference.requests / 4);
  });
});
