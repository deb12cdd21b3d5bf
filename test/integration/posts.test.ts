import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { documentClient, tableName } from "../../shared/db/client";
import { keys } from "../../shared/db/keys";
import { api } from "../support/api/in-process";
import type { AnyAnswer } from "../support/api/client";
import type { components } from "../support/api/types";
import { storedPostsOf } from "../support/post-storage";
import { given } from "../support/given";
import { type TestUser } from "../support/host";
import { aPostInput } from "../support/posts";
import { expectNoStorageDetails, expectValidationFailed } from "../support/then";
import { when } from "../support/when";

const postFields = [
  "access",
  "authorId",
  "body",
  "category",
  "commentCount",
  "locked",
  "postId",
  "publishedAt",
  "tags",
  "teaser",
  "title",
  "updatedAt",
];

const postCountOf = async (user: TestUser): Promise<number> => (await when.readsProfileOf(user)).data.postCount;

const fieldsOf = (response: AnyAnswer) =>
  expectValidationFailed(response)
    .details.map((detail) => detail.field)
    .sort();

describe("POST /posts", () => {
  it("publishes a post (201) with the defaults, counted on the author's profile", async () => {
    const author = await given.anAuthor();
    const body = "x".repeat(300);
    const response = await when.publishes(author, { title: "  Gold breaks out ", body, access: "free" });
    expect(response.status).toBe(201);
    expect(Object.keys(response.data).sort()).toEqual(postFields);
    expect(response.json).toEqual({
      postId: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
      authorId: author.userId,
      title: "Gold breaks out",
      teaser: "x".repeat(280),
      body,
      access: "free",
      category: "analysis",
      tags: [],
      publishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: response.data.publishedAt,
      commentCount: 0,
      locked: false,
    });
    expectNoStorageDetails(response.text);
    expect(await postCountOf(author)).toBe(1);
    expect((await when.readsPost(response.data.postId, author)).json).toEqual(response.data);
  });

  it("keeps a teaser, category and tags the author gives, an empty teaser included", async () => {
    const author = await given.anAuthor();
    const response = await when.publishes(author, {
      title: "t",
      body: "b",
      access: "select",
      category: "macro",
      teaser: "",
      tags: [" fx ", "rates"],
    });
    expect(response.status).toBe(201);
    expect(response.json).toMatchObject({ teaser: "", category: "macro", tags: ["fx", "rates"], access: "select" });
  });

  it("lets admins publish and answers 403 forbidden to readers (after 400 for a bad request, as ordered)", async () => {
    const admin = await given.anAdmin();
    expect((await when.publishes(admin, aPostInput())).status).toBe(201);
    const reader = await given.aReader();
    const refused = await when.publishes(reader, aPostInput());
    expect([refused.status, refused.error.code]).toEqual([403, "forbidden"]);
    const bad = await when.publishes(reader, { ...aPostInput(), title: "" });
    expect([bad.status, bad.error.code]).toEqual([400, "validation_failed"]);
    expect(await postCountOf(reader)).toBe(0);
    expect(await storedPostsOf(reader)).toEqual([]);
  });

  it("answers 401 without a token and profile_required to an author without a profile", async () => {
    expect((await api.POST("/posts", { body: aPostInput() })).status).toBe(401);
    const author = given.aLocalCaller(["authors"]);
    const response = await when.publishes(author, aPostInput());
    expect([response.status, response.error.code]).toEqual([403, "profile_required"]);
    expect(await storedPostsOf(author)).toEqual([]);
  });

  it("refuses fields a client may not set, one detail each, and writes nothing", async () => {
    const author = await given.anAuthor();
    // Fields the document does not let a client send, sent all the same.
    const response = await api.unchecked("POST", "/posts", {
      token: author.token,
      body: {
        ...aPostInput(),
        postId: "x",
        authorId: "someone-else",
        commentCount: 5,
        locked: false,
        publishedAt: "2020-01-01T00:00:00Z",
        updatedAt: "2020-01-01T00:00:00Z",
      },
    });
    expect(response.status).toBe(400);
    expect(response.error.code).toBe("validation_failed");
    expect(fieldsOf(response)).toEqual(["authorId", "commentCount", "locked", "postId", "publishedAt", "updatedAt"]);
    expect(await postCountOf(author)).toBe(0);
    expect(await storedPostsOf(author)).toEqual([]);
  });

  const tooLong = (n: number) => "a".repeat(n);
  it.each([
    ["title", "empty", { title: "" }],
    ["title", "blank", { title: "   " }],
    ["title", "201 characters", { title: tooLong(201) }],
    ["title", "a number", { title: 5 }],
    ["body", "empty", { body: "" }],
    ["body", "50,001 characters", { body: tooLong(50_001) }],
    ["access", "unknown", { access: "gold" }],
    ["access", "a tier, not an access", { access: "ultimate" }],
    ["category", "empty", { category: "" }],
    ["category", "41 characters", { category: tooLong(41) }],
    ["teaser", "501 characters", { teaser: tooLong(501) }],
    ["teaser", "null", { teaser: null }],
    ["tags", "11 tags", { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }],
    ["tags", "a string", { tags: "fx" }],
    ["tags.1", "an empty tag", { tags: ["fx", ""] }],
    ["tags.0", "a tag of 31 characters", { tags: [tooLong(31)] }],
    ["tags.2", "a tag that is a number", { tags: ["a", "b", 3] }],
  ])("answers 400 with a detail for %s: %s", async (field, _, change) => {
    const author = await given.anAuthor();
    const response = await api.unchecked("POST", "/posts", {
      token: author.token,
      body: { ...aPostInput(), ...change },
    });
    expect(response.status).toBe(400);
    expect(response.error).toEqual({
      code: "validation_failed",
      message: expect.any(String),
      details: [{ field, message: expect.any(String) }],
    });
    expect(await postCountOf(author)).toBe(0);
  });

  it.each([["title"], ["body"], ["access"]])("answers 400 when %s is missing", async (field) => {
    const author = await given.anAuthor();
    const input: Record<string, unknown> = { ...aPostInput() };
    delete input[field];
    const response = await api.unchecked("POST", "/posts", { token: author.token, body: input });
    expect(expectValidationFailed(response).details).toEqual([{ field, message: "is required" }]);
  });

  it("accepts every limit exactly, counting code points", async () => {
    const author = await given.anAuthor();
    const emoji = (n: number) => "📈".repeat(n);
    const input = {
      title: emoji(200),
      body: emoji(50_000),
      access: "free" as const,
      category: emoji(40),
      teaser: emoji(500),
      tags: Array.from({ length: 10 }, () => emoji(30)),
    };
    const response = await when.publishes(author, input);
    expect(response.status, response.text).toBe(201);
    expect(response.json).toMatchObject(input);
    const stored = await when.readsPost(response.data.postId);
    expect(stored.data.body).toBe(input.body);
  });

  it("answers 413 for a body over 256 KiB and 400 for JSON that is not an object", async () => {
    const author = await given.anAuthor();
    const huge = await when.publishes(author, { ...aPostInput(), body: "é".repeat(140_000) });
    expect([huge.status, huge.error.code]).toEqual([413, "payload_too_large"]);
    const malformed = await api.unchecked("POST", "/posts", { token: author.token, rawBody: "{" });
    expect([malformed.status, malformed.error.code]).toEqual([400, "malformed_json"]);
    expect(await postCountOf(author)).toBe(0);
  });
});

describe("GET /posts/{postId}", () => {
  it.each([
    ["a malformed ID", "not-a-post"],
    ["an ID of nothing", "MDFKQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUEuc29tZW9uZQ"],
    ["a forged ID with a bad ULID", Buffer.from("xyz.author").toString("base64url")],
  ])("answers 404 for %s", async (_, postId) => {
    const response = await api.GET("/posts/{postId}", { path: { postId } });
    expect(response.json).toEqual({ error: { code: "not_found", message: expect.any(String) } });
  });

  it("verifies a token sent to it", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    expect((await api.GET("/posts/{postId}", { path: { postId: post.postId }, token: "forged" })).status).toBe(401);
  });

  it("reads the stored item, nothing else, without leaking storage details", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author, { body: "Watch PROFILE-free text" });
    const stored = await documentClient.send(
      new GetCommand({
        TableName: tableName,
        Key: keys.post(author.userId, post.postId === "" ? "" : storedId(post.postId)),
      }),
    );
    expect(stored.Item).toMatchObject({ entityType: "post", title: post.title, commentCount: 0 });
    const response = await when.readsPost(post.postId);
    expect(response.text).not.toMatch(/"(pk|sk|entityType|customTeaser|deleting)"/);
  });
});

function storedId(postId: string): string {
  return Buffer.from(postId, "base64url").toString("utf8").slice(0, 26);
}

// Longer than the default teaser, so the end of a locked body never shows.
const bodyOf = (access: string) => `${"·".repeat(280)} ${access}-only ending`;

describe("the locking matrix over HTTP", async () => {
  // One author's free, plus and select posts, read by every kind of caller.
  const matrix = async () => {
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const withEntitlements = async (entitlements: components["schemas"]["EntitlementsInput"]["entitlements"]) => {
      const reader = await given.aReader();
      await given.entitlements(admin, reader, entitlements);
      return reader;
    };
    const past = new Date(Date.now() - 60_000).toISOString();
    const callers: Record<string, TestUser | null> = {
      anonymous: null,
      "no entitlement": await given.aReader(),
      "expired entitlements": await withEntitlements([
        { tier: "plus", validUntil: past },
        { tier: "ultimate", validUntil: past },
        { tier: "select", authorId: author.userId, validUntil: past },
      ]),
      plus: await withEntitlements([{ tier: "plus", validUntil: "2999-01-01T00:00:00Z" }]),
      "select for this author": await withEntitlements([{ tier: "select", authorId: author.userId }]),
      "select for another author": await withEntitlements([{ tier: "select", authorId: "another-author" }]),
      ultimate: await withEntitlements([{ tier: "ultimate" }]),
      "the author": author,
      "another author": await given.anAuthor(),
      admin,
    };
    const posts = {
      free: await given.aPost(author, { access: "free", body: bodyOf("free") }),
      plus: await given.aPost(author, { access: "plus", body: bodyOf("plus") }),
      select: await given.aPost(author, { access: "select", body: bodyOf("select") }),
    };
    return { author, callers, posts };
  };
  const setup = await matrix();

  const readable: Record<string, ("free" | "plus" | "select")[]> = {
    anonymous: ["free"],
    "no entitlement": ["free"],
    "expired entitlements": ["free"],
    plus: ["free", "plus"],
    "select for this author": ["free", "select"],
    "select for another author": ["free"],
    ultimate: ["free", "plus", "select"],
    "the author": ["free", "plus", "select"],
    "another author": ["free"],
    admin: ["free", "plus", "select"],
  };
  const cases = Object.entries(readable).flatMap(([caller, open]) =>
    (["free", "plus", "select"] as const).map((access) => [caller, access, open.includes(access)] as const),
  );

  it.each(cases)("%s reading a %s post: body readable %s", async (caller, access, bodyReadable) => {
    const user = setup.callers[caller]!;
    const post = setup.posts[access];
    const response = await api.GET("/posts/{postId}", {
      path: { postId: post.postId },
      ...(user ? { token: user.token } : {}),
    });
    expect(response.status).toBe(200);
    const { body: _body, locked: _locked, ...common } = post;
    if (bodyReadable) {
      expect(response.json).toEqual({ ...common, body: bodyOf(access), locked: false });
    } else {
      expect(response.json).toEqual({ ...common, locked: true });
      expect(response.text).not.toContain(`${access}-only ending`);
    }
    // The author's list applies the same rule to the same post, and shows its summary: never the body.
    const list = await api.GET("/users/{userId}/posts", {
      path: { userId: setup.author.userId },
      ...(user ? { token: user.token } : {}),
    });
    const { body: _shown, ...summary } = response.data;
    expect(list.data.items.find((item: { postId: string }) => item.postId === post.postId)).toEqual(summary);
  });
});
