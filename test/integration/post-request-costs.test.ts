import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { api } from "../support/api/in-process";
import { someComments } from "../support/post-storage";
import { recordDynamoDbRequests } from "../support/request-recorder";
import { given } from "../support/given";
import { aPostInput } from "../support/posts";
import { when } from "../support/when";

// The request counts that docs/data-model.md claims for the post routes (P1..P8), measured.
const counter = recordDynamoDbRequests();
afterAll(() => counter.stop());
beforeEach(() => counter.reset());

describe("DynamoDB requests per post route", () => {
  it("POST /posts: the caller's Query and one transaction, with or without a key, replays included", async () => {
    const author = await given.anAuthor();
    counter.reset();
    await when.publishes(author, aPostInput());
    expect(counter.commands()).toEqual(["Query", "TransactWriteItems"]);

    const input = aPostInput();
    counter.reset();
    await api.POST("/posts", { token: author.token, body: input, headers: { "Idempotency-Key": "k" } });
    expect(counter.commands()).toEqual(["Query", "TransactWriteItems"]);
    counter.reset();
    const replay = await api.POST("/posts", { token: author.token, body: input, headers: { "Idempotency-Key": "k" } });
    expect(replay.status).toBe(201);
    expect(counter.commands()).toEqual(["Query", "TransactWriteItems"]);
  });

  it("GET /posts/{postId}: one BatchGetItem (summary and body) anonymously, the caller's Query and one BatchGetItem signed in", async () => {
    const author = await given.anAuthor();
    const reader = await given.aReader();
    const post = await given.aPost(author, { access: "plus" });
    counter.reset();
    await when.readsPost(post.postId);
    expect(counter.commands()).toEqual(["BatchGetItem"]);
    counter.reset();
    await when.readsPost(post.postId, reader);
    expect(counter.commands()).toEqual(["Query", "BatchGetItem"]);
    counter.reset();
    await when.readsPost("not-an-id", reader);
    expect(counter.commands()).toEqual(["Query"]);
  });

  it("PATCH /posts/{postId}: the caller, the post with its body, and one write (a transaction when the body changes or moves)", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    counter.reset();
    await when.changesPost(author, post.postId, { title: "x" });
    expect(counter.commands()).toEqual(["Query", "BatchGetItem", "UpdateItem"]);
    for (const change of [{ body: "New body" }, { access: "plus" as const }]) {
      counter.reset();
      await when.changesPost(author, post.postId, change);
      expect(counter.commands()).toEqual(["Query", "BatchGetItem", "TransactWriteItems"]);
    }
  });

  it("DELETE /posts/{postId}: six requests without comments; with 130 comments two more rounds of batches", async () => {
    const author = await given.anAuthor();
    const bare = await given.aPost(author);
    counter.reset();
    await when.deletesPost(author, bare.postId);
    // The caller, the summary, the mark with the count, the comments (none), the body, the summary.
    expect(counter.commands()).toEqual(["Query", "GetItem", "TransactWriteItems", "Query", "DeleteItem", "DeleteItem"]);

    const post = await given.aPost(author);
    await someComments(post.postId, [await given.aReader()], 130);
    counter.reset();
    await when.deletesPost(author, post.postId);
    const batches = (n: number) => Array(n).fill("BatchWriteItem");
    expect(counter.commands()).toEqual([
      "Query",
      "GetItem",
      "TransactWriteItems",
      "Query",
      ...batches(4), // 100 index entries
      ...batches(4), // 100 comments
      "Query",
      ...batches(2), // 30 index entries
      ...batches(2), // 30 comments
      "Query",
      "DeleteItem",
      "DeleteItem",
    ]);
  });

  it("GET /users/{userId}/posts: one Query per page (plus the caller's Query when signed in)", async () => {
    const author = await given.anAuthor();
    for (let i = 0; i < 5; i++) await given.aPost(author);
    counter.reset();
    const first = await when.listsPostsOf(author, undefined, { limit: 2 });
    expect(counter.commands()).toEqual(["Query"]);
    counter.reset();
    await when.listsPostsOf(author, author, { limit: 2, cursor: first.data.nextCursor! });
    expect(counter.commands()).toEqual(["Query", "Query"]);
    counter.reset();
    await when.listsPostsOf({ userId: "nobody" });
    expect(counter.commands()).toEqual(["Query"]);
  });

  it("GET /users/{userId}/posts: a page of very large posts reads their summaries only, one Query", async () => {
    const author = await given.anAuthor();
    // Ten posts of 200 KB each: their bodies (2 MB) would take two Queries; their summaries fit in one.
    for (let i = 0; i < 10; i++) await given.aPost(author, { body: "📈".repeat(50_000) });
    counter.reset();
    const response = await when.listsPostsOf(author, undefined, { limit: 10 });
    expect(response.data.items).toHaveLength(10);
    expect(response.data.nextCursor).toBeNull();
    expect(counter.commands()).toEqual(["Query"]);
  });
});
