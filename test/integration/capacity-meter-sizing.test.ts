import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The capacity meter sizes items from the requests and a cache of what it saw (test/support/capacity-meter.ts);
// the reference reads every item again. Both meter the same mixed workload at once, here request by request: the
// benchmarks' bills stand on the cache's being the reference's, unit for unit and byte for byte.
vi.hoisted(() => {
  process.env.DELETION_NOTICE_LEADS = "PT3S,PT2S,PT1S";
});

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { RunningMailSink } from "../../infra/local/mail-sink";
import { batchWrite } from "../../shared/db/batch";
import { documentClient, tableName } from "../../shared/db/client";
import { config } from "../../shared/config";
import { toRunTallyItem } from "../../shared/db/entities/run-tally";
import { api } from "../support/api";
import { meterCapacity, type MeteredRequest } from "../support/capacity-meter";
import { lastActiveAt } from "../support/cleanup";
import { aComment, aReaderWith, deleteComment } from "../support/comments";
import { aFollow, anUnfollow, follow } from "../support/follows";
import { expectStatus, given } from "../support/given";
import { aReaderWithEmail, aRunAt, plus, theLocalMailSink } from "../support/notices";
import { aPost } from "../support/posts";

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

const billOf = (request: MeteredRequest) =>
  [
    request.command,
    request.failed ? "rejected" : "ok",
    `read ${request.readUnits} (${request.itemsRead} items, ${request.bytesRead} B)`,
    `write ${request.writeUnits} (${request.itemsWritten} items, ${request.bytesWritten} B)`,
  ].join(" ");
/** The bills of the requests, in a stable order (concurrent requests may settle in either meter's order). */
const bills = (requests: readonly MeteredRequest[]) => requests.map(billOf).sort();

describe("the capacity meter's two ways of sizing items", () => {
  it("bill a mixed workload alike, request by request, the cache reading a fraction of what the reference reads", async () => {
    // Accounts, follows and unfollows (transactions with ADD on counts), a follow of an account that is gone.
    const admin = await given.anAdmin();
    const [author, other] = [await given.anAuthor(), await given.anAuthor()];
    const readers = [await aReaderWithEmail(), await aReaderWithEmail(), await aReaderWithEmail()];
    for (const reader of readers) await aFollow(reader, author);
    await aFollow(readers[0]!, other);
    await anUnfollow(readers[1]!, author);
    await aFollow(readers[1]!, author);
    expectStatus(await follow(readers[2]!, author), 200);
    // A taken handle: a claim refused by its condition.
    expect(
      (await api.put("/me", { token: readers[2]!.token, body: { handle: author.handle, displayName: "x" } })).status,
    ).toBe(409);

    // Posts with big bodies, an edit (ReturnValues ALL_NEW), reads of them, a deletion.
    const big = await aPost(author, { body: "x".repeat(50_000) });
    const small = await aPost(author, { body: "Short." });
    expectStatus(
      await api.patch(`/posts/${big.postId}`, { token: author.token, body: { body: "y".repeat(30_000) } }),
      200,
    );
    expectStatus(await api.patch(`/posts/${small.postId}`, { token: author.token, body: { access: "plus" } }), 200);
    expectStatus(await api.get(`/posts/${big.postId}`, { token: readers[0]!.token }), 200);
    expectStatus(await api.get(`/users/${author.userId}/posts?limit=5`), 200);
    expectStatus(await api.get("/feed", { token: readers[0]!.token }), 200);

    // Comments (ADD commentCount), an entitlement (ReturnValues UPDATED_NEW), a comment deleted.
    const writer = await aReaderWith(admin, [{ tier: "ultimate" }]);
    const comment = await aComment(writer, big.postId);
    await aComment(writer, small.postId);
    await aComment(readers[0]!, big.postId).catch(() => undefined);
    expectStatus(await deleteComment(writer, big.postId, comment.commentId), 204);
    await given.entitlements(admin, writer, [{ tier: "plus" }]);
    expectStatus(await api.delete(`/posts/${small.postId}`, { token: author.token }), 204);
    expectStatus(await api.get(`/users/${author.userId}/followers`), 200);

    // An owner deletes their account (relations, counts, comments).
    expectStatus(await api.delete("/me", { token: readers[1]!.token }), 204);

    // Batch writes: puts over items the meter never saw, then deletes; direct updates of sets, lists and numbers.
    const tallies = Array.from({ length: 30 }, (_, i) =>
      toRunTallyItem("notice", "meter-run", `user-${i}`, new Date()),
    );
    await batchWrite(tallies.map((item) => ({ put: item })));
    await batchWrite(tallies.slice(0, 20).map((item) => ({ delete: { pk: item.pk, sk: item.sk } })));
    const odd = { pk: "METER#ODD", sk: "ITEM" };
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...odd, tags: new Set(["a", "b"]), scores: new Set([1, 2]), list: [1, { m: "x" }, 3], n: 10.5 },
      }),
    );
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: odd,
        UpdateExpression:
          "SET n = n + :half, #list[1].m = :long, fresh = if_not_exists(fresh, :zero) REMOVE #list[0] ADD tags :more, tally :one DELETE scores :two",
        ExpressionAttributeNames: { "#list": "list" },
        ExpressionAttributeValues: {
          ":half": 0.25,
          ":long": "z".repeat(1500),
          ":zero": 0,
          ":more": new Set(["c", "d".repeat(600)]),
          ":one": 1,
          ":two": new Set([2]),
        },
      }),
    );

    // Items written before the meters watched (as benchmarks seed their tables): overwritten smaller, updated,
    // deleted one by one and in a batch.
    const seeded = Array.from({ length: 5 }, (_, i) => ({ pk: "METER#SEEDED", sk: `ITEM#${i}`, v: "s".repeat(2500) }));
    await Promise.all(seeded.map((item) => unmetered.send(new PutCommand({ TableName: tableName, Item: item }))));
    await documentClient.send(new PutCommand({ TableName: tableName, Item: { ...seeded[0]!, v: "small" } }));
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: "METER#SEEDED", sk: "ITEM#1" },
        UpdateExpression: "SET w = :w",
        ExpressionAttributeValues: { ":w": 1 },
      }),
    );
    await documentClient.send(new DeleteCommand({ TableName: tableName, Key: { pk: "METER#SEEDED", sk: "ITEM#2" } }));
    await batchWrite(seeded.slice(3).map((item) => ({ delete: { pk: item.pk, sk: item.sk } })));

    // Inactive readers through a whole schedule: three notices each, then their deletion.
    for (const reader of [readers[0]!, readers[2]!]) await lastActiveAt(reader, "2025-01-10T08:00:00.000Z");
    const t0 = new Date();
    for (const offset of [0, 1, 2, 3]) await aRunAt(plus(t0, offset * 1000));
    expectStatus(await api.get(`/users/${author.userId}/follower-history`), 200);

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
    expect(bills(cached.requests)).toEqual(bills(reference.requests));
    expect([cached.readUnits(), cached.writeUnits()]).toEqual([reference.readUnits(), reference.writeUnits()]);

    // The reference read at least one item per request; the cache a small part of that.
    const side = { cache: cached.sideReads(), reference: reference.sideReads() };
    console.info(
      `capacity meter, ${cached.requests.length} requests: side reads ${side.reference.requests} (re-read) vs ` +
        `${side.cache.requests} (cache): ${JSON.stringify(side.cache.byReason)}`,
    );
    expect(side.reference.requests).toBeGreaterThan(cached.requests.length);
    expect(side.cache.requests).toBeLessThan(side.reference.requests / 4);
  });
});
