import { DeleteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { documentClient, dynamoDb, tableName } from "../../shared/db/client";
import { PostNotAcceptingComments } from "../../shared/db/comment-store";
import { keys } from "../../shared/db/keys";
import { decodePostId } from "../../shared/domain/posts";
import { api, tokenFor } from "../support/api/in-process";
import { crash, injectFaults, slowDown } from "../support/faults";
import {
  someComments,
  storedCommentIndexOf,
  storedCommentsOf,
  storedItemsOfPost,
  storedPostsOf,
} from "../support/post-storage";
import { given } from "../support/given";
import { aPostInput } from "../support/posts";
import { expectValidationFailed } from "../support/then";
import { when } from "../support/when";

const postCountOf = async (userId: string): Promise<number> =>
  (await api.GET("/users/{userId}", { path: { userId } })).data.postCount;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("PATCH /posts/{postId}", () => {
  it("changes only the fields sent; updatedAt moves, publishedAt stays", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author, { tags: ["fx"], category: "macro" });
    await sleep(5);
    const response = await when.changesPost(author, post.postId, { title: " New title " });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ ...post, title: "New title", updatedAt: expect.any(String) });
    expect(Date.parse(response.data.updatedAt)).toBeGreaterThan(Date.parse(post.updatedAt));
    expect(response.data.publishedAt).toBe(post.publishedAt);
    expect((await when.readsPost(post.postId)).json).toEqual(response.data);
  });

  it("keeps a derived teaser following the body, and an author's teaser as written", async () => {
    const author = await given.anAuthor();
    const derived = await given.aPost(author, { body: "first" });
    const changed = await when.changesPost(author, derived.postId, { body: "second".repeat(100) });
    expect(changed.data.teaser).toBe("second".repeat(100).slice(0, 280));

    const custom = await given.aPost(author, { body: "first", teaser: "Mine" });
    const kept = await when.changesPost(author, custom.postId, { body: "second" });
    expect(kept.json).toMatchObject({ body: "second", teaser: "Mine" });

    const set = await when.changesPost(author, derived.postId, { teaser: "" });
    expect(set.data.teaser).toBe("");
    const after = await when.changesPost(author, derived.postId, { body: "third" });
    expect(after.data.teaser).toBe("");
  });

  it("applies an access change to the very next read", async () => {
    const author = await given.anAuthor();
    const reader = await given.aReader();
    const post = await given.aPost(author, { access: "free" });
    expect((await when.readsPost(post.postId, reader)).data.locked).toBe(false);
    await when.changesPost(author, post.postId, { access: "plus" });
    const locked = await when.readsPost(post.postId, reader);
    expect(locked.json).toMatchObject({ access: "plus", locked: true });
    expect(locked.data.body).toBeUndefined();
  });

  it("answers an empty patch with the post as it is, changing nothing", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const response = await when.changesPost(author, post.postId, {});
    expect([response.status, response.json]).toEqual([200, post]);
  });

  it("lets an admin change any post", async () => {
    const author = await given.anAuthor();
    const admin = await given.anAdmin();
    const post = await given.aPost(author, { access: "select" });
    const response = await when.changesPost(admin, post.postId, { access: "free", tags: [] });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ authorId: author.userId, access: "free", locked: false });
  });

  it("validates like POST, refusing unknown and read-only fields", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    // Values and fields the document does not allow, sent all the same.
    const response = await api.unchecked("PATCH", `/posts/${post.postId}`, {
      token: author.token,
      body: {
        title: "",
        body: "",
        access: "gold",
        category: "c".repeat(41),
        teaser: "t".repeat(501),
        tags: ["x".repeat(31)],
        authorId: "me",
        commentCount: 9,
      },
    });
    expect(response.status).toBe(400);
    expect(
      expectValidationFailed(response)
        .details.map((detail: { field: string }) => detail.field)
        .sort(),
    ).toEqual(["access", "authorId", "body", "category", "commentCount", "tags.0", "teaser", "title"]);
    expect((await when.readsPost(post.postId)).json).toEqual(post);
  });

  it("answers errors in the contract's order: 401, 400, 403 role, 404, profile_required, 403 ownership", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const reader = await given.aReader();
    const other = await given.anAuthor();
    const authorWithoutProfile = given.aLocalCaller(["authors"]);
    const postPath = { postId: post.postId };
    expect((await api.PATCH("/posts/{postId}", { path: postPath, body: { title: "x" } })).status).toBe(401);
    expect(
      (await api.PATCH("/posts/{postId}", { path: postPath, token: reader.token, body: { title: "" } })).error.code,
    ).toBe("validation_failed");
    expect(
      (await api.PATCH("/posts/{postId}", { path: postPath, token: reader.token, body: { title: "x" } })).error.code,
    ).toBe("forbidden");
    const unknown = await when.changesPost(authorWithoutProfile, "nothing-here", { title: "x" });
    expect([unknown.status, unknown.error.code]).toEqual([404, "not_found"]);
    const noProfile = await api.PATCH("/posts/{postId}", {
      path: postPath,
      token: authorWithoutProfile.token,
      body: { title: "x" },
    });
    expect([noProfile.status, noProfile.error.code]).toEqual([403, "profile_required"]);
    const notOwner = await api.PATCH("/posts/{postId}", { path: postPath, token: other.token, body: { title: "x" } });
    expect([notOwner.status, notOwner.error.code]).toEqual([403, "forbidden"]);
    expect((await api.GET("/posts/{postId}", { path: postPath })).data.title).toBe(post.title);
  });

  it("takes the role from the token: an author demoted to reader can no longer change a post", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const demoted = tokenFor(author.userId, []);
    expect(
      (await api.PATCH("/posts/{postId}", { path: { postId: post.postId }, token: demoted, body: { title: "x" } }))
        .status,
    ).toBe(403);
  });
});

describe("DELETE /posts/{postId}", () => {
  it("deletes the post (204) and takes it off the author's postCount, once", async () => {
    const author = await given.anAuthor();
    const kept = await given.aPost(author);
    const post = await given.aPost(author);
    expect(await postCountOf(author.userId)).toBe(2);
    const response = await when.deletesPost(author, post.postId);
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
    expect((await when.readsPost(post.postId)).status).toBe(404);
    expect(await storedItemsOfPost(post.postId)).toEqual({ summary: undefined, bodies: [] });
    expect(await postCountOf(author.userId)).toBe(1);
    const again = await when.deletesPost(author, post.postId);
    expect([again.status, again.error.code]).toEqual([404, "not_found"]);
    expect(await postCountOf(author.userId)).toBe(1);
    expect((await when.listsPostsOf(author)).data.items.map((item: { postId: string }) => item.postId)).toEqual([
      kept.postId,
    ]);
  });

  it("answers errors in the contract's order and lets an admin delete any post", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    const postPath = { postId: post.postId };
    const reader = await given.aReader();
    expect((await api.DELETE("/posts/{postId}", { path: postPath })).status).toBe(401);
    expect((await api.DELETE("/posts/{postId}", { path: postPath, token: reader.token })).error.code).toBe("forbidden");
    const adminWithoutProfile = given.aLocalCaller(["admins"]);
    expect((await when.deletesPost(adminWithoutProfile, "unknown")).status).toBe(404);
    expect((await api.DELETE("/posts/{postId}", { path: postPath, token: adminWithoutProfile.token })).error.code).toBe(
      "profile_required",
    );
    const other = await given.anAuthor();
    const notOwner = await api.DELETE("/posts/{postId}", { path: postPath, token: other.token });
    expect([notOwner.status, notOwner.error.code]).toEqual([403, "forbidden"]);
    expect((await api.GET("/posts/{postId}", { path: postPath })).status).toBe(200);
    const admin = await given.anAdmin();
    expect((await api.DELETE("/posts/{postId}", { path: postPath, token: admin.token })).status).toBe(204);
    expect(await postCountOf(author.userId)).toBe(0);
  });

  it("deletes a post's 130 comments with their writers' index entries, leaving other posts' comments", async () => {
    const author = await given.anAuthor();
    const writers = [await given.aReader(), await given.aReader(), await given.aReader()];
    const post = await given.aPost(author);
    const other = await given.aPost(author);
    await someComments(post.postId, writers, 130);
    await someComments(other.postId, writers, 3);
    expect((await when.readsPost(post.postId)).data.commentCount).toBe(130);
    expect(await storedCommentsOf(post.postId)).toHaveLength(130);

    expect((await when.deletesPost(author, post.postId)).status).toBe(204);

    expect(await storedCommentsOf(post.postId)).toEqual([]);
    expect(await storedCommentsOf(other.postId)).toHaveLength(3);
    for (const writer of writers) {
      const index = await storedCommentIndexOf(writer);
      expect(index).toHaveLength(1);
      expect(index[0]).toMatchObject({ postId: other.postId });
    }
    expect(await storedPostsOf(author)).toHaveLength(1);
    expect((await when.readsPost(other.postId)).data.commentCount).toBe(3);
  });

  it("resumes an interrupted deletion on retry: never a comment without its post, the count dropped once", async () => {
    const author = await given.anAuthor();
    const writer = await given.aReader();
    const post = await given.aPost(author);
    await someComments(post.postId, [writer], 120);
    // The function dies after six batches: the first 100 index entries and 50 of their comments are gone.
    let batches = 0;
    const faults = injectFaults((command) => (command === "BatchWriteItem" && ++batches > 6 ? crash() : undefined));
    const failed = await when.deletesPost(author, post.postId);
    faults.stop();
    expect([failed.status, failed.error.code]).toEqual([500, "internal"]);

    // Half-way: the post is gone for readers and off the count, but still stored, holding its remaining comments.
    expect((await when.readsPost(post.postId)).status).toBe(404);
    expect((await when.changesPost(author, post.postId, { title: "x" })).status).toBe(404);
    expect(await postCountOf(author.userId)).toBe(0);
    expect((await when.listsPostsOf(author)).data.items).toEqual([]);
    const remaining = await storedCommentsOf(post.postId);
    expect(remaining).toHaveLength(70);
    // Index entries go before their comments: none is left pointing to a deleted comment.
    const index = await storedCommentIndexOf(writer);
    const remainingIds = new Set(remaining.map((comment) => comment.commentId));
    expect(index.every((entry) => remainingIds.has(entry.commentId))).toBe(true);
    expect(await storedPostsOf(author)).toHaveLength(1);
    // No comment can be added to a post being deleted.
    await expect(someComments(post.postId, [writer], 1)).rejects.toBeInstanceOf(PostNotAcceptingComments);

    const retried = await when.deletesPost(author, post.postId);
    expect(retried.status).toBe(204);
    expect(await storedCommentsOf(post.postId)).toEqual([]);
    expect(await storedCommentIndexOf(writer)).toEqual([]);
    expect(await storedPostsOf(author)).toEqual([]);
    expect(await storedItemsOfPost(post.postId)).toEqual({ summary: undefined, bodies: [] });
    expect(await postCountOf(author.userId)).toBe(0);
  });

  it(
    "answers 503 with retry-after when DynamoDB is too slow to finish within the function's timeout; the retry finishes",
    { timeout: 60_000 },
    async () => {
      const author = await given.anAuthor();
      const writer = await given.aReader();
      const post = await given.aPost(author);
      await someComments(post.postId, [writer], 250);
      // Every batch of 25 deletes takes 400 ms: a round of 100 comments (8 batches) 3.2 s, all 20 batches 8 s.
      const slow = slowDown(400, (command) => command === "BatchWriteItem");
      const interrupted = await when.deletesPost(author, post.postId);
      slow.stop();
      expect([interrupted.status, interrupted.error?.code, interrupted.headers["retry-after"]]).toEqual([
        503,
        "unavailable",
        "1",
      ]);
      expect((await when.readsPost(post.postId)).status).toBe(404);
      expect((await storedCommentsOf(post.postId)).length).toBeGreaterThan(0);

      expect((await when.deletesPost(author, post.postId)).status).toBe(204);
      expect(await storedCommentsOf(post.postId)).toEqual([]);
      expect(await storedCommentIndexOf(writer)).toEqual([]);
      expect(await postCountOf(author.userId)).toBe(0);
    },
  );

  it("counts two concurrent deletes of one post once", async () => {
    const author = await given.anAuthor();
    await given.aPost(author);
    const post = await given.aPost(author);
    await someComments(post.postId, [author], 30);
    const responses = await Promise.all([0, 1, 2].map(() => when.deletesPost(author, post.postId)));
    for (const response of responses) expect([204, 404]).toContain(response.status);
    expect(responses.filter((response) => response.status === 204).length).toBeGreaterThanOrEqual(1);
    expect(await postCountOf(author.userId)).toBe(1);
    expect(await storedCommentsOf(post.postId)).toEqual([]);
  });
});

describe("races", () => {
  it("never lets a body change overwrite a teaser the author set meanwhile", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author, { body: "original" });
    const ref = decodePostId(post.postId)!;
    // Right before the body change (with its derived teaser) is written, a teaser change lands.
    let raced = 0;
    const name = "teaser-race";
    dynamoDb.middlewareStack.add(
      (next, context) => async (args) => {
        // The body change (with its derived teaser) is the PATCH's one write: a transaction of summary and body.
        if (context.commandName === "TransactWriteItemsCommand" && raced === 0) {
          raced++;
          await documentClient.send(
            new UpdateCommand({
              TableName: tableName,
              Key: keys.post(ref.authorId, ref.id),
              UpdateExpression: "SET teaser = :teaser, customTeaser = :true",
              ExpressionAttributeValues: { ":teaser": "Custom", ":true": true },
            }),
          );
        }
        return next(args);
      },
      { step: "initialize", name },
    );
    try {
      const response = await when.changesPost(author, post.postId, { body: "changed" });
      expect(response.json).toMatchObject({ body: "changed", teaser: "Custom" });
    } finally {
      dynamoDb.middlewareStack.remove(name);
    }
    expect(raced).toBe(1);
    expect((await when.readsPost(post.postId)).json).toMatchObject({
      body: "changed",
      teaser: "Custom",
    });
  });

  it("deletes the body a PATCH moved between a DELETE's read and its mark: nothing is left behind", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author, { access: "plus", body: "Moved while deleted" });
    let raced = 0;
    const name = "move-before-mark";
    dynamoDb.middlewareStack.add(
      (next, context) => async (args) => {
        const first = (args.input as { TransactItems?: { Update?: { UpdateExpression?: string } }[] })
          .TransactItems?.[0];
        if (
          context.commandName === "TransactWriteItemsCommand" &&
          first?.Update?.UpdateExpression === "SET deleting = :true" &&
          raced === 0
        ) {
          raced++;
          expect((await when.changesPost(author, post.postId, { access: "free" })).status).toBe(200);
        }
        return next(args);
      },
      { step: "initialize", name },
    );
    try {
      expect((await when.deletesPost(author, post.postId)).status).toBe(204);
    } finally {
      dynamoDb.middlewareStack.remove(name);
    }
    expect(raced).toBe(1);
    expect(await storedItemsOfPost(post.postId)).toEqual({ summary: undefined, bodies: [] });
    expect(await postCountOf(author.userId)).toBe(0);
  });

  it("leaves nothing written when the author's account vanishes before the post's transaction", async () => {
    const author = await given.anAuthor();
    const name = "account-vanishes";
    dynamoDb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "TransactWriteItemsCommand") {
          await documentClient.send(new DeleteCommand({ TableName: tableName, Key: keys.account(author.userId) }));
        }
        return next(args);
      },
      { step: "initialize", name },
    );
    try {
      const response = await when.publishes(author, aPostInput());
      expect([response.status, response.error.code]).toEqual([403, "profile_required"]);
    } finally {
      dynamoDb.middlewareStack.remove(name);
    }
    expect(await storedPostsOf(author)).toEqual([]);
  });
});
