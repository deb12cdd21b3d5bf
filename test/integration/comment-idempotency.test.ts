import { describe, expect, it } from "vitest";
import { api } from "../support/api/in-process";
import { injectFaults, transactionConflict } from "../support/faults";
import { storedCommentIndexOf, storedCommentsOf } from "../support/post-storage";
import { allCommentsOf, commentCountOf, postComment } from "../support/comments";
import { given } from "../support/given";
import { aPostInput } from "../support/posts";
import { expectValidationFailed } from "../support/then";
import { when } from "../support/when";

// Idempotency-Key on POST /posts/{postId}/comments, scoped to the caller and the route, as for posts.

describe("Idempotency-Key on POST /posts/{postId}/comments", () => {
  it("answers a repeat with the same status and body and writes one comment", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const first = await postComment(author, post.postId, { body: "once" }, "key-1");
    expect(first.status).toBe(201);
    const again = await postComment(author, post.postId, { body: "once" }, "key-1");
    expect([again.status, again.text]).toEqual([201, first.text]);
    expect(await storedCommentsOf(post.postId)).toHaveLength(1);
    expect(await storedCommentIndexOf(author)).toHaveLength(1);
    expect(await commentCountOf(post.postId, author)).toBe(1);
  });

  it("writes one comment when ten tries with one key arrive at the same moment", async () => {
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const writer = await given.aReaderWith(admin, [{ tier: "plus" }]);
    const post = await given.aPost(author, { access: "plus" });
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => postComment(writer, post.postId, { body: "burst" }, "burst")),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(201));
    expect(new Set(responses.map((response) => response.text)).size).toBe(1);
    expect(await storedCommentsOf(post.postId)).toHaveLength(1);
    expect(await commentCountOf(post.postId, author)).toBe(1);
    expect(await allCommentsOf(post.postId, author)).toEqual([responses[0]!.data]);
  });

  it("answers 409 idempotency_key_reused for another body or another post with the same key, also at once", async () => {
    const author = await given.anAuthor();
    const [post, other] = [await given.aPost(author), await given.aPost(author)];
    expect((await postComment(author, post.postId, { body: "one" }, "reused")).status).toBe(201);
    const otherBody = await postComment(author, post.postId, { body: "two" }, "reused");
    expect([otherBody.status, otherBody.error.code]).toEqual([409, "idempotency_key_reused"]);
    const otherPost = await postComment(author, other.postId, { body: "one" }, "reused");
    expect([otherPost.status, otherPost.error.code]).toEqual([409, "idempotency_key_reused"]);

    const racing = await Promise.all([
      postComment(author, post.postId, { body: "A" }, "race"),
      postComment(author, post.postId, { body: "B" }, "race"),
    ]);
    expect(racing.map((response) => response.status).sort()).toEqual([201, 409]);
    expect(await commentCountOf(post.postId, author)).toBe(2);
    expect(await commentCountOf(other.postId, author)).toBe(0);
  });

  it("scopes keys to the caller and the route", async () => {
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const reader = await given.aReaderWith(admin, [{ tier: "ultimate" }]);
    const post = await given.aPost(author);
    const a = await postComment(author, post.postId, { body: "same" }, "shared");
    const b = await postComment(reader, post.postId, { body: "same" }, "shared");
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.data.authorId).toBe(reader.userId);
    // The same key on POST /posts is another scope.
    const published = await api.POST("/posts", {
      token: author.token,
      body: aPostInput(),
      headers: { "Idempotency-Key": "shared" },
    });
    expect(published.status).toBe(201);
    expect(await commentCountOf(post.postId, author)).toBe(2);
  });

  it("stores only successes: a try that failed may be retried with the same key", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const faults = injectFaults((command) => (command === "TransactWriteItems" ? transactionConflict(6) : undefined));
    const busy = await postComment(author, post.postId, { body: "retry me" }, "retry");
    faults.stop();
    expect([busy.status, busy.error.code, busy.headers["retry-after"]]).toEqual([503, "unavailable", "1"]);
    expect(await commentCountOf(post.postId, author)).toBe(0);
    const retried = await postComment(author, post.postId, { body: "retry me" }, "retry");
    expect(retried.status).toBe(201);
    expect(await commentCountOf(post.postId, author)).toBe(1);
  });

  it("replays a success even after the post was deleted or the subscription lapsed", async () => {
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const writer = await given.aReaderWith(admin, [{ tier: "plus" }]);
    const [plus, doomed] = [
      await given.aPost(author, { access: "plus" }),
      await given.aPost(author, { access: "plus" }),
    ];

    const onDoomed = await postComment(writer, doomed.postId, { body: "first" }, "k-doomed");
    expect((await when.deletesPost(author, doomed.postId)).status).toBe(204);
    const replayed = await postComment(writer, doomed.postId, { body: "first" }, "k-doomed");
    expect([replayed.status, replayed.text]).toEqual([201, onDoomed.text]);
    // Not the same request: the post's absence is the answer.
    const different = await postComment(writer, doomed.postId, { body: "other" }, "k-doomed");
    expect([different.status, different.error.code]).toEqual([404, "not_found"]);
    const withoutKey = await postComment(writer, doomed.postId, { body: "first" });
    expect(withoutKey.status).toBe(404);

    const onPlus = await postComment(writer, plus.postId, { body: "plus" }, "k-plus");
    await given.entitlements(admin, writer, []);
    const lapsed = await postComment(writer, plus.postId, { body: "plus" }, "k-plus");
    expect([lapsed.status, lapsed.text]).toEqual([201, onPlus.text]);
    const fresh = await postComment(writer, plus.postId, { body: "plus" }, "k-new");
    expect([fresh.status, fresh.error.code]).toEqual([403, "subscription_required"]);
    expect(await commentCountOf(plus.postId, author)).toBe(1);
  });

  it.each([
    ["empty", ""],
    ["101 characters", "k".repeat(101)],
  ])("answers 400 for an Idempotency-Key that is %s, listed with the body's details", async (_, key) => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const response = await postComment(author, post.postId, { body: "" }, key);
    expect(response.status).toBe(400);
    expect(expectValidationFailed(response).details.map((detail: { field: string }) => detail.field)).toEqual([
      "body",
      "Idempotency-Key",
    ]);
    expect(await commentCountOf(post.postId, author)).toBe(0);
  });
});
