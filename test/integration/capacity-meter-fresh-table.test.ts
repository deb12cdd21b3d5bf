import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The capacity meter on a table that was empty when it started and that only the metered client writes (a
// benchmark seeding its fresh table with the meter on): every item it needs it has seen written, so it reads
// nothing but what a read's projection, filter or count hides; and it bills the mixed workload exactly as the
// reference, which reads every item again.
vi.hoisted(() => {
  process.env.DELETION_NOTICE_LEADS = "PT3S,PT2S,PT1S";
});

import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { RunningMailSink } from "../../infra/local/mail-sink";
import { documentClient, tableName } from "../../shared/db/client";
import { meterCapacity } from "../support/capacity-meter";
import { aMixedWorkload, billsOf } from "../support/metered-workload";
import { theLocalMailSink } from "../support/notices";

// Both start before anything is written to this file's table.
const reference = meterCapacity({ sizing: "re-read" });
const fresh = meterCapacity({ tableStartsEmpty: true });
let sink: RunningMailSink;
beforeAll(async () => {
  sink = await theLocalMailSink();
});
afterAll(async () => {
  reference.stop();
  fresh.stop();
  await sink.stop();
});

describe("the capacity meter on a table it saw filled", () => {
  it("bills a mixed workload as the reference does, reading again only what a projection, filter or count hid", async () => {
    await aMixedWorkload(async (items) => {
      await Promise.all(items.map((item) => documentClient.send(new PutCommand({ TableName: tableName, Item: item }))));
    });

    expect(fresh.requests.length).toBe(reference.requests.length);
    expect(billsOf(fresh.requests)).toEqual(billsOf(reference.requests));
    const side = fresh.sideReads();
    console.info(
      `capacity meter (table started empty), ${fresh.requests.length} requests: side reads ` +
        `${reference.sideReads().requests} (re-read) vs ${side.requests}: ${JSON.stringify(side.byReason)}`,
    );
    expect(Object.keys(side.byReason)).toEqual(["Query with a projection, filter or count"]);
  });
});
