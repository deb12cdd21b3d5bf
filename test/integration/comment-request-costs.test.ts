import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { recordDynamoDbRequests } from "../support/request-recorder";
import { insertComment } from "../../shared/db/comment-store";
import { decodePostId } from "../../shared/domain/posts";
import { ulid } from "../../shared/ids";
import { postComment } from "../support/comments";
import { given } from "../support/given";
import { when } from "../support/when";

// The request counts that docs/data-model.md claims for the comment routes (C1..C9), measured.
const counter = recordDynamoDbRequests();
afterAll(() => counter.stop());
beforeEach(() => counter.reset());

describe("DynamoDB requests per comment route", () => {
  it("POST /posts/{postId}/comments: the caller, the post and one transaction, with a key and on replays too", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    counter.reset();
    expect((await postComment(author, post.postId)).status).toBe(201);
    expect(counter.commands()).toEqual(["Query", "GetItem", "TransactWriteItems"]);

    counter.reset();
    expect((await postComment(author, post.postId, { body: "keyed" }, "k")).status).toBe(201);
    expect(counter.commands()).toEqual(["Query", "GetItem", "TransactWriteItems"]);
    counter.reset();
    expect((await postComment(author, post.postId, { body: "keyed" }, "k")).status).toBe(201);
    expect(counter.commands()).toEqual(["Query", "GetItem", "TransactWriteItems"]);
    counter.reset();
    expect((await postComment(author, post.postId, { body: "other" }, "k")).status).toBe(409);
    expect(counter.commands()).toEqual(["Query", "GetItem", "TransactWriteItems"]);
  });

  it("POST /posts/{postId}/comments refused: what the refusal needed to know, plus the record's GetItem with a key", async () => {
    const author = await given.anAuthor();
    const reader = await given.aReader();
    const plus = await given.aPost(author, { access: "plus" });
    counter.reset();
    expect((await postComment(reader, plus.postId)).status).toBe(403);
    expect(counter.commands()).toEqual(["Query", "GetItem"]);
    counter.reset();
    expect((await postComment(reader, plus.postId, { body: "x" }, "k")).status).toBe(403);
    expect(counter.commands()).toEqual(["Query", "GetItem", "GetItem"]);
    counter.reset();
    expect((await postComment(reader, "not-a-post")).status).toBe(404);
    expect(counter.commands()).toEqual(["Query"]);

    // 429: the transaction is refused by the counter's condition.
    for (let i = 0; i < 30; i++) await given.aComment(author, plus.postId);
    counter.reset();
    const limited = await postComment(author, plus.postId);
    // A minute boundary between the 30 comments and this one would let it through; then the count is 3 as well.
    expect([429, 201]).toContain(limited.status);
    expect(counter.commands()).toEqual(["Query", "GetItem", "TransactWriteItems"]);
  });

  it("GET /posts/{postId}/comments: the post and one Query per page (plus the caller's Query when signed in)", async () => {
    const author = await given.anAuthor();
    const reader = await given.aReader();
    const post = await given.aPost(author);
    for (let i = 0; i < 5; i++) await given.aComment(author, post.postId);
    counter.reset();
    const first = await when.listsCommentsOf(post.postId, undefined, { limit: 2 });
    expect(counter.commands()).toEqual(["GetItem", "Query"]);
    counter.reset();
    await when.listsCommentsOf(post.postId, reader, { limit: 2, cursor: first.data.nextCursor! });
    expect(counter.commands()).toEqual(["Query", "GetItem", "Query"]);
    counter.reset();
    const plus = await given.aPost(author, { access: "plus" });
    counter.reset();
    expect((await when.listsCommentsOf(plus.postId)).status).toBe(403);
    expect(counter.commands()).toEqual(["GetItem"]);
  });

  it("GET /posts/{postId}/comments: a page of very long comments follows the 1 MB limit with more Queries", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const ref = decodePostId(post.postId)!;
    // 101 comments of 5000 four-byte characters (20 KB each): a page of 100 (and the one more that says whether a
    // next page exists) reads about 2 MB, so two Queries of at most 1 MB each.
    for (let i = 0; i < 101; i++) {
      await insertComment({
        post: ref,
        postId: post.postId,
        commentId: ulid(),
        writerId: author.userId,
        body: "📈".repeat(5000),
        createdAt: new Date().toISOString(),
      });
    }
    counter.reset();
    const page = await when.listsCommentsOf(post.postId, undefined, { limit: 100 });
    expect(page.data.items).toHaveLength(100);
    expect(page.data.nextCursor).not.toBeNull();
    expect(counter.commands()).toEqual(["GetItem", "Query", "Query"]);
  });

  it("DELETE /posts/{postId}/comments/{commentId}: the caller, one BatchGetItem and one transaction", async () => {
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const writer = await given.aReaderWith(admin, [{ tier: "plus" }]);
    const post = await given.aPost(author);
    const comment = await given.aComment(writer, post.postId);
    counter.reset();
    expect((await when.deletesComment(admin, post.postId, comment.commentId)).status).toBe(204);
    expect(counter.commands()).toEqual(["Query", "BatchGetItem", "TransactWriteItems"]);
    counter.reset();
    expect((await when.deletesComment(admin, post.postId, comment.commentId)).status).toBe(404);
    expect(counter.commands()).toEqual(["Query", "BatchGetItem"]);
    const kept = await given.aComment(writer, post.postId);
    counter.reset();
    expect((await when.deletesComment(await given.aReader(), post.postId, kept.commentId)).status).toBe(403);
    counter.reset();
    expect((await when.deletesComment(admin, post.postId, "not-a-comment")).status).toBe(404);
    expect(counter.commands()).toEqual(["Query"]);
  });
});
