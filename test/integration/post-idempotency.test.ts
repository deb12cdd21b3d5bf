import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { documentClient, tableName } from "../../shared/db/client";
import { keys } from "../../shared/db/keys";
import { api } from "../support/api/in-process";
import { injectFaults, transactionConflict } from "../support/faults";
import { storedPostsOf } from "../support/post-storage";
import { given } from "../support/given";
import { when } from "../support/when";
import { type TestUser } from "../support/host";
import { aPostInput } from "../support/posts";
import { expectValidationFailed } from "../support/then";

const publish = when.publishes;

const postCountOf = async (user: TestUser): Promise<number> => (await when.readsProfileOf(user)).data.postCount;

describe("Idempotency-Key on POST /posts", () => {
  it("answers a repeat with the same status and body and creates nothing more", async () => {
    const author = await given.anAuthor();
    const input = aPostInput();
    const first = await publish(author, input, "key-1");
    expect(first.status).toBe(201);
    const again = await publish(author, { ...input }, "key-1");
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(await storedPostsOf(author)).toHaveLength(1);
    expect(await postCountOf(author)).toBe(1);
  });

  it("replays the original answer even after the post changed", async () => {
    const author = await given.anAuthor();
    const input = aPostInput();
    const first = await publish(author, input, "k");
    await when.changesPost(author, first.data.postId, { title: "Changed" });
    const again = await publish(author, input, "k");
    expect(again.json).toEqual(first.data);
  });

  it("treats the same fields in another order, or with whitespace the schema trims, as the same request", async () => {
    const author = await given.anAuthor();
    const first = await publish(author, { title: "T", body: "B", access: "free" }, "order");
    const again = await api.unchecked("POST", "/posts", {
      token: author.token,
      rawBody: '{ "access": "free",  "body": "B", "title": " T " }',
      headers: { "idempotency-key": "order" },
    });
    expect([again.status, again.text]).toEqual([201, first.text]);
  });

  it("publishes once when ten tries with one key arrive at the same moment", async () => {
    const author = await given.anAuthor();
    const input = aPostInput();
    const responses = await Promise.all(Array.from({ length: 10 }, () => publish(author, input, "burst")));
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(201));
    expect(new Set(responses.map((response) => response.text)).size).toBe(1);
    expect(await storedPostsOf(author)).toHaveLength(1);
    expect(await postCountOf(author)).toBe(1);
  });

  it("answers 409 idempotency_key_reused for another body with the same key, also at the same moment", async () => {
    const author = await given.anAuthor();
    const first = await publish(author, aPostInput({ title: "One" }), "reused");
    const other = await publish(author, aPostInput({ title: "Two" }), "reused");
    expect([other.status, other.error.code]).toEqual([409, "idempotency_key_reused"]);

    const racing = await Promise.all([
      publish(author, aPostInput({ title: "A" }), "race"),
      publish(author, aPostInput({ title: "B" }), "race"),
    ]);
    expect(racing.map((response) => response.status).sort()).toEqual([201, 409]);
    expect(await storedPostsOf(author)).toHaveLength(2);
    expect(first.status).toBe(201);
  });

  it("scopes keys to the caller: two authors with one key publish two posts", async () => {
    const [one, two] = [await given.anAuthor(), await given.anAuthor()];
    const input = aPostInput();
    const a = await publish(one, input, "shared");
    const b = await publish(two, input, "shared");
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.data.postId).not.toBe(b.data.postId);
    expect(b.data.authorId).toBe(two.userId);
  });

  it("publishes each time without a key", async () => {
    const author = await given.anAuthor();
    const input = aPostInput();
    await publish(author, input);
    await publish(author, input);
    expect(await postCountOf(author)).toBe(2);
  });

  it.each([
    ["empty", ""],
    ["101 characters", "k".repeat(101)],
  ])("answers 400 with a detail for an Idempotency-Key that is %s, listed with the body's", async (_, key) => {
    const author = await given.anAuthor();
    const response = await publish(author, { ...aPostInput(), title: "" }, key);
    expect(response.status).toBe(400);
    expect(expectValidationFailed(response).details.map((detail: { field: string }) => detail.field)).toEqual([
      "title",
      "Idempotency-Key",
    ]);
    expect(await postCountOf(author)).toBe(0);
  });

  it("accepts a key of 100 characters, counted in code points", async () => {
    const author = await given.anAuthor();
    expect((await publish(author, aPostInput(), "é".repeat(100))).status).toBe(201);
  });

  it("stores only successes: a try that failed may be retried with the same key", async () => {
    const author = await given.anAuthor();
    const input = aPostInput();
    // Every transaction conflicts until the retry budget runs out: 503, nothing written.
    const faults = injectFaults((command) => (command === "TransactWriteItems" ? transactionConflict(3) : undefined));
    const busy = await publish(author, input, "retry-me");
    faults.stop();
    expect([busy.status, busy.error.code]).toEqual([503, "unavailable"]);
    expect(busy.headers["retry-after"]).toBe("1");
    expect(await storedPostsOf(author)).toEqual([]);
    expect(await postCountOf(author)).toBe(0);

    const retried = await publish(author, input, "retry-me");
    expect(retried.status).toBe(201);
    expect(await postCountOf(author)).toBe(1);
  });

  it("publishes anew once the record is older than 24 hours, even before TTL removed it", async () => {
    const author = await given.anAuthor();
    const input = aPostInput();
    const first = await publish(author, input, "old");
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.idempotency(author.userId, "POST /posts", "old"),
        UpdateExpression: "SET expiresAt = :past",
        ExpressionAttributeValues: { ":past": Math.floor(Date.now() / 1000) - 1 },
      }),
    );
    const later = await publish(author, input, "old");
    expect(later.status).toBe(201);
    expect(later.data.postId).not.toBe(first.data.postId);
    expect(await postCountOf(author)).toBe(2);
    // And the new record holds the key for the next 24 hours.
    expect((await publish(author, input, "old")).data.postId).toBe(later.data.postId);
  });

  it("keeps the record's expiry 24 hours ahead, for DynamoDB's TTL", async () => {
    const author = await given.anAuthor();
    const before = Math.floor(Date.now() / 1000);
    await publish(author, aPostInput(), "ttl");
    const record = await documentClient.send(
      new GetCommand({ TableName: tableName, Key: keys.idempotency(author.userId, "POST /posts", "ttl") }),
    );
    expect(record.Item!.expiresAt).toBeGreaterThanOrEqual(before + 86_400);
    expect(record.Item!.expiresAt).toBeLessThanOrEqual(before + 86_401);
  });
});
