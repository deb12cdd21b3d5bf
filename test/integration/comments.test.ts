import { DeleteCommand, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { documentClient, tableName } from "../../shared/db/client";
import { getCommentsOfWriter } from "../../shared/db/comment-store";
import { collections, keys } from "../../shared/db/keys";
import { decodePostId } from "../../shared/domain/posts";
import { api } from "../support/api/in-process";
import { crash, injectFaults } from "../support/faults";
import { storedCommentIndexOf, storedCommentsOf } from "../support/post-storage";
import { expectAuthorizerRefusal } from "../support/gateway";
import { allCommentsOf, commentCountOf, postComment } from "../support/comments";
import { given } from "../support/given";
import { expectNoStorageDetails, expectValidationFailed } from "../support/then";
import { when } from "../support/when";

const commentFields = ["authorId", "body", "commentId", "createdAt", "postId"];
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe("POST /posts/{postId}/comments", () => {
  it("writes a comment (201), counted on the post and indexed under its writer", async () => {
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const writer = await given.aReaderWith(admin, [{ tier: "plus" }]);
    const post = await given.aPost(author, { access: "plus" });

    const response = await postComment(writer, post.postId, { body: "  Gold to 2,500?\n" });

    expect(response.status).toBe(201);
    expect(Object.keys(response.data).sort()).toEqual(commentFields);
    expect(response.json).toEqual({
      commentId: expect.stringMatching(ULID),
      postId: post.postId,
      authorId: writer.userId,
      body: "  Gold to 2,500?\n",
      createdAt: expect.stringMatching(ISO_MS),
    });
    expectNoStorageDetails(response.text);
    expect(await commentCountOf(post.postId, author)).toBe(1);
    expect(await allCommentsOf(post.postId, author)).toEqual([response.data]);
    const index = await storedCommentIndexOf(writer);
    expect(index).toHaveLength(1);
    expect(index[0]).toMatchObject({
      commentId: response.data.commentId,
      postId: post.postId,
      entityType: "commentByWriter",
    });
  });

  it("accepts exactly 5000 characters, counted in code points, and refuses 5001", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const longest = await postComment(author, post.postId, { body: "📈".repeat(5000) });
    expect(longest.status, longest.text).toBe(201);
    expect(longest.data.body).toBe("📈".repeat(5000));
    const tooLong = await postComment(author, post.postId, { body: "a".repeat(5001) });
    expect(tooLong.error).toEqual({
      code: "validation_failed",
      message: expect.any(String),
      details: [{ field: "body", message: "must be at most 5000 characters" }],
    });
    expect(await commentCountOf(post.postId, author)).toBe(1);
  });

  it.each([
    ["an empty body", { body: "" }, [{ field: "body", message: "must not be empty" }]],
    ["no body", {}, [{ field: "body", message: "is required" }]],
    ["a body that is a number", { body: 5 }, [{ field: "body", message: "must be a string" }]],
    [
      "fields a client may not set",
      { body: "hi", authorId: "someone", commentId: "X", postId: "Y", createdAt: "2020-01-01T00:00:00Z" },
      ["authorId", "commentId", "createdAt", "postId"].map((field) => ({ field, message: "is not a known field" })),
    ],
  ])("answers 400 validation_failed for %s and writes nothing", async (_, body, details) => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    // Bodies the document does not allow, sent all the same.
    const response = await api.unchecked("POST", `/posts/${post.postId}/comments`, { token: author.token, body });
    const problem = expectValidationFailed(response);
    expect([...problem.details].sort((a, b) => a.field.localeCompare(b.field))).toEqual(details);
    expect(await commentCountOf(post.postId, author)).toBe(0);
    expect(await storedCommentsOf(post.postId)).toEqual([]);
  });

  it("answers 400 malformed_json for a body that is not JSON", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const response = await api.unchecked("POST", `/posts/${post.postId}/comments`, {
      token: author.token,
      rawBody: "{body",
    });
    expect([response.status, response.error.code]).toEqual([400, "malformed_json"]);
  });

  it("answers errors in the contract's order: 401, 400, 404, profile_required, subscription_required", async () => {
    const author = await given.anAuthor();
    const plusPost = await given.aPost(author, { access: "plus" });
    const unknown = "MDFKQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUEuc29tZW9uZQ";
    const noProfile = given.aLocalCaller();
    const reader = await given.aReader();

    const anonymous = await api.POST("/posts/{postId}/comments", { path: { postId: unknown }, body: { body: "" } });
    expectAuthorizerRefusal(anonymous);
    const badOnUnknown = await postComment(noProfile, unknown, { body: "" });
    expect([badOnUnknown.status, badOnUnknown.error.code]).toEqual([400, "validation_failed"]);
    const unknownPost = await postComment(noProfile, unknown);
    expect([unknownPost.status, unknownPost.error.code]).toEqual([404, "not_found"]);
    const malformedId = await postComment(reader, "not-a-post");
    expect([malformedId.status, malformedId.error.code]).toEqual([404, "not_found"]);
    const withoutProfile = await postComment(noProfile, plusPost.postId);
    expect([withoutProfile.status, withoutProfile.error.code]).toEqual([403, "profile_required"]);
    const unsubscribed = await postComment(reader, plusPost.postId);
    expect(unsubscribed.status).toBe(403);
    expect(unsubscribed.error).toEqual({
      code: "subscription_required",
      message: expect.any(String),
      requiredEntitlements: [{ tier: "plus" }, { tier: "ultimate" }],
    });
    expect(await commentCountOf(plusPost.postId, author)).toBe(0);
  });

  it("answers 404 for a deleted post and for one whose deletion has begun", async () => {
    const author = await given.anAuthor();
    const deleted = await given.aPost(author);
    expect((await when.deletesPost(author, deleted.postId)).status).toBe(204);
    expect((await postComment(author, deleted.postId)).status).toBe(404);

    const halfDeleted = await given.aPost(author);
    await given.aComment(author, halfDeleted.postId);
    // The DELETE dies right after marking the post: the post is stored, marked, with its comment.
    const faults = injectFaults(crashOnQueryOfComments);
    expect((await when.deletesPost(author, halfDeleted.postId)).status).toBe(500);
    faults.stop();
    const refused = await postComment(author, halfDeleted.postId);
    expect([refused.status, refused.error.code]).toEqual([404, "not_found"]);
    expect(await storedCommentsOf(halfDeleted.postId)).toHaveLength(1);
  });
});

describe("GET /posts/{postId}/comments", () => {
  it("lists comments oldest first, page by page, without gaps or repeats", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const written = [];
    for (let i = 0; i < 5; i++) written.push(await given.aComment(author, post.postId, `comment ${i}`));

    const first = await when.listsCommentsOf(post.postId, undefined, { limit: 2 });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ items: written.slice(0, 2), nextCursor: expect.any(String) });
    expectNoStorageDetails(first.text);
    const second = await when.listsCommentsOf(post.postId, undefined, { limit: 2, cursor: first.data.nextCursor! });
    expect(second.data.items).toEqual(written.slice(2, 4));
    const third = await when.listsCommentsOf(post.postId, undefined, { limit: 2, cursor: second.data.nextCursor! });
    expect(third.json).toEqual({ items: written.slice(4), nextCursor: null });
    expect((await when.listsCommentsOf(post.postId, undefined, { limit: 5 })).json).toEqual({
      items: written,
      nextCursor: null,
    });
    expect((await when.listsCommentsOf(post.postId)).data.items.map((c: { body: string }) => c.body)).toEqual([
      "comment 0",
      "comment 1",
      "comment 2",
      "comment 3",
      "comment 4",
    ]);
  });

  it("answers an empty list for a post without comments, and 404 for an unknown post", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    expect((await when.listsCommentsOf(post.postId)).json).toEqual({
      items: [],
      nextCursor: null,
    });
    const unknown = await when.listsCommentsOf("not-a-post");
    expect([unknown.status, unknown.error.code]).toEqual([404, "not_found"]);
  });

  it("refuses another post's cursor, a tampered cursor and a limit out of range", async () => {
    const author = await given.anAuthor();
    const [one, two] = [await given.aPost(author), await given.aPost(author)];
    for (let i = 0; i < 3; i++) await given.aComment(author, one.postId);
    const cursor = (await when.listsCommentsOf(one.postId, undefined, { limit: 1 })).data.nextCursor as string;
    const foreign = await when.listsCommentsOf(two.postId, undefined, { cursor });
    expect([foreign.status, foreign.error.code]).toEqual([400, "invalid_cursor"]);
    const tampered = await when.listsCommentsOf(one.postId, undefined, { cursor: `x${cursor}` });
    expect([tampered.status, tampered.error.code]).toEqual([400, "invalid_cursor"]);
    for (const limit of ["0", "101", "abc"]) {
      const response = await api.unchecked("GET", `/posts/${one.postId}/comments?limit=${limit}`);
      expect([response.status, response.error.code, expectValidationFailed(response).details[0]?.field]).toEqual([
        400,
        "validation_failed",
        "limit",
      ]);
    }
    expect((await when.listsCommentsOf(one.postId, undefined, { limit: 100 })).data.items).toHaveLength(3);
  });

  it("verifies a token sent to it", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    expect((await api.GET("/posts/{postId}/comments", { path: { postId: post.postId }, token: "forged" })).status).toBe(
      401,
    );
  });

  it("shows authorId null for a comment whose writer's account was deleted", async () => {
    const author = await given.anAuthor();
    const writer = await given.aReader();
    await given.entitlements(await given.anAdmin(), writer, [{ tier: "ultimate" }]);
    const post = await given.aPost(author);
    const comment = await given.aComment(writer, post.postId);
    // What the cleanup does to an account's comments: authorId becomes null and the index entry goes.
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.comment(decodePostId(post.postId)!.id, comment.commentId),
        UpdateExpression: "SET authorId = :null",
        ExpressionAttributeValues: { ":null": null },
      }),
    );
    await documentClient.send(
      new DeleteCommand({ TableName: tableName, Key: keys.commentByWriter(writer.userId, comment.commentId) }),
    );
    const listed = await when.listsCommentsOf(post.postId);
    expect(listed.data.items).toEqual([{ ...comment, authorId: null }]);
    expect(listed.text).toContain('"authorId":null');
    // The writer is no longer its writer; the post's author may still delete it.
    expect((await when.deletesComment(writer, post.postId, comment.commentId)).status).toBe(403);
    expect((await when.deletesComment(author, post.postId, comment.commentId)).status).toBe(204);
    expect(await commentCountOf(post.postId, author)).toBe(0);
    expect(await storedCommentsOf(post.postId)).toEqual([]);
  });
});

describe("DELETE /posts/{postId}/comments/{commentId}", () => {
  it.each([["its writer"], ["the post's author"], ["an admin"]])("lets %s delete a comment (204)", async (who) => {
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const writer = await given.aReaderWith(admin, [{ tier: "select", authorId: author.userId }]);
    const post = await given.aPost(author, { access: "select" });
    const kept = await given.aComment(writer, post.postId, "kept");
    const comment = await given.aComment(writer, post.postId, "deleted");
    const deleter = { "its writer": writer, "the post's author": author, "an admin": admin }[who]!;

    const response = await when.deletesComment(deleter, post.postId, comment.commentId);

    expect(response.status).toBe(204);
    expect(response.text).toBe("");
    expect(await commentCountOf(post.postId, author)).toBe(1);
    expect(await allCommentsOf(post.postId, author)).toEqual([kept]);
    expect((await storedCommentIndexOf(writer)).map((entry) => entry.commentId)).toEqual([kept.commentId]);
    const again = await when.deletesComment(deleter, post.postId, comment.commentId);
    expect([again.status, again.error.code]).toEqual([404, "not_found"]);
    expect(await commentCountOf(post.postId, author)).toBe(1);
  });

  it.each([["another reader"], ["another author"]])("answers 403 forbidden to %s and deletes nothing", async (who) => {
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const writer = await given.aReaderWith(admin, [{ tier: "ultimate" }]);
    const other =
      who === "another reader" ? await given.aReaderWith(admin, [{ tier: "ultimate" }]) : await given.anAuthor();
    const post = await given.aPost(author);
    const comment = await given.aComment(writer, post.postId);

    const response = await when.deletesComment(other, post.postId, comment.commentId);

    expect(response.status).toBe(403);
    expect(response.error).toEqual({ code: "forbidden", message: expect.any(String) });
    expect(await commentCountOf(post.postId, author)).toBe(1);
    expect(await allCommentsOf(post.postId)).toEqual([comment]);
    expect(await storedCommentIndexOf(writer)).toHaveLength(1);
  });

  it("answers 404 for a comment of another post, an unknown or malformed comment ID, and an unknown post", async () => {
    const author = await given.anAuthor();
    const admin = await given.anAdmin();
    const [post, other] = [await given.aPost(author), await given.aPost(author)];
    const comment = await given.aComment(author, post.postId);

    for (const [postId, commentId] of [
      [other.postId, comment.commentId],
      [post.postId, "01J00000000000000000000000"],
      [post.postId, "not-a-comment"],
      ["not-a-post", comment.commentId],
    ] as const) {
      const response = await when.deletesComment(admin, postId, commentId);
      expect([response.status, response.error.code], `${postId}/${commentId}`).toEqual([404, "not_found"]);
    }
    expect(await commentCountOf(post.postId, author)).toBe(1);
    expect(await allCommentsOf(post.postId)).toEqual([comment]);
  });

  it("answers errors in the contract's order: 401, 404, profile_required, forbidden", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const comment = await given.aComment(author, post.postId);
    const commentPath = { postId: post.postId, commentId: comment.commentId };
    expect((await api.DELETE("/posts/{postId}/comments/{commentId}", { path: commentPath })).status).toBe(401);
    const noProfile = given.aLocalCaller(["admins"]);
    const unknown = await when.deletesComment(noProfile, post.postId, "01J00000000000000000000000");
    expect([unknown.status, unknown.error.code]).toEqual([404, "not_found"]);
    const withoutProfile = await when.deletesComment(noProfile, post.postId, comment.commentId);
    expect([withoutProfile.status, withoutProfile.error.code]).toEqual([403, "profile_required"]);
    expect(await commentCountOf(post.postId, author)).toBe(1);
  });

  it("lets a writer whose subscription lapsed still delete their own comment", async () => {
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const writer = await given.aReaderWith(admin, [{ tier: "plus" }]);
    const post = await given.aPost(author, { access: "plus" });
    const comment = await given.aComment(writer, post.postId);
    await given.entitlements(admin, writer, [{ tier: "plus", validUntil: "2020-01-01T00:00:00.000Z" }]);
    expect((await when.listsCommentsOf(post.postId, writer)).status).toBe(403);
    expect((await when.deletesComment(writer, post.postId, comment.commentId)).status).toBe(204);
    expect(await commentCountOf(post.postId, author)).toBe(0);
  });

  it("answers 404 on a post whose deletion has begun, and the post's deletion then finishes", async () => {
    const author = await given.anAuthor();
    const writer = await given.aReader();
    await given.entitlements(await given.anAdmin(), writer, [{ tier: "ultimate" }]);
    const post = await given.aPost(author);
    const comments = [await given.aComment(writer, post.postId), await given.aComment(writer, post.postId)];
    const faults = injectFaults(crashOnQueryOfComments);
    expect((await when.deletesPost(author, post.postId)).status).toBe(500);
    faults.stop();

    const refused = await when.deletesComment(writer, post.postId, comments[0]!.commentId);
    expect([refused.status, refused.error.code]).toEqual([404, "not_found"]);
    expect(await storedCommentsOf(post.postId)).toHaveLength(2);

    expect((await when.deletesPost(author, post.postId)).status).toBe(204);
    expect(await storedCommentsOf(post.postId)).toEqual([]);
    expect(await storedCommentIndexOf(writer)).toEqual([]);
  });

  it("keeps the post item's count exact in storage", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const comment = await given.aComment(author, post.postId);
    await given.aComment(author, post.postId);
    await when.deletesComment(author, post.postId, comment.commentId);
    const ref = decodePostId(post.postId)!;
    const stored = await documentClient.send(
      new GetCommand({ TableName: tableName, Key: keys.post(ref.authorId, ref.id), ConsistentRead: true }),
    );
    expect(stored.Item!.commentCount).toBe(1);
    expect(await storedCommentsOf(post.postId)).toHaveLength(1);
  });
});

describe("comments by writer (what an account's deletion anonymizes)", () => {
  it("finds every comment of an account right after it was written, page by page, and none once deleted", async () => {
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const writer = await given.aReaderWith(admin, [{ tier: "ultimate" }]);
    const posts = [
      await given.aPost(author),
      await given.aPost(author, { access: "plus" }),
      await given.aPost(author, { access: "select" }),
    ];
    const written = [];
    for (const post of posts) {
      written.push(await given.aComment(writer, post.postId), await given.aComment(writer, post.postId));
    }
    await given.aComment(author, posts[0]!.postId); // someone else's comment is not the writer's

    const found = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await getCommentsOfWriter(writer.userId, { limit: 4, ...(after ? { after } : {}) });
      found.push(...page.entries);
      after = page.nextAfter ?? undefined;
      pages++;
    } while (after);
    expect(pages).toBe(2);
    expect(found).toEqual(written.map(({ commentId, postId, createdAt }) => ({ commentId, postId, createdAt })));

    expect((await when.deletesComment(writer, posts[1]!.postId, written[2]!.commentId)).status).toBe(204);
    const afterDelete = await getCommentsOfWriter(writer.userId, { limit: 100 });
    expect(afterDelete.entries.map((entry) => entry.commentId)).toEqual(
      written.filter((_, i) => i !== 2).map((comment) => comment.commentId),
    );
    expect(afterDelete.nextAfter).toBeNull();
  });
});

describe("comment paths with another method", () => {
  it("answers 405 method_not_allowed with the allowed methods", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const onList = await api.unchecked("PUT", `/posts/${post.postId}/comments`, {
      token: author.token,
      body: { body: "x" },
    });
    expect([onList.status, onList.error.code, onList.headers.allow]).toEqual([405, "method_not_allowed", "GET, POST"]);
    const onOne = await api.unchecked("GET", `/posts/${post.postId}/comments/01J00000000000000000000000`);
    expect([onOne.status, onOne.headers.allow]).toEqual([405, "DELETE"]);
  });
});

/** The DELETE's Query of the post's comments (not the caller's own account load, also a Query) dies. */
function crashOnQueryOfComments(command: string, input: Record<string, unknown>): Error | undefined {
  const values = JSON.stringify(input.ExpressionAttributeValues ?? {});
  return command === "Query" && !values.includes(JSON.stringify(collections.accountItems("any").prefix))
    ? crash()
    : undefined;
}
