import { beforeAll, describe, expect, it } from "vitest";
import { api } from "../support/api/in-process";
import { expectAuthorizerRefusal } from "../support/gateway";
import { allCommentsOf, commentCountOf, postComment } from "../support/comments";
import { given } from "../support/given";
import { type TestUser } from "../support/host";

// The gating matrix of the contract's Comments section, through the API against DynamoDB Local: every post
// access and every kind of caller, for reading the comments and for writing one.

type Access = "free" | "plus" | "select";
type Caller =
  | "anonymous"
  | "no entitlement"
  | "expired entitlements"
  | "plus"
  | "select for this author"
  | "select for another author"
  | "ultimate"
  | "the author"
  | "another author"
  | "admin";

const past = "2020-01-01T00:00:00.000Z";
const future = "2099-01-01T00:00:00.000Z";

let author: TestUser;
const callers = new Map<Caller, TestUser | undefined>();
const posts = new Map<Access, string>();

beforeAll(async () => {
  const admin = await given.anAdmin();
  author = await given.anAuthor();
  const otherAuthor = await given.anAuthor();
  callers.set("anonymous", undefined);
  callers.set("no entitlement", await given.aReaderWith(admin, []));
  callers.set(
    "expired entitlements",
    await given.aReaderWith(admin, [
      { tier: "plus", validUntil: past },
      { tier: "ultimate", validUntil: past },
      { tier: "select", authorId: author.userId, validUntil: past },
    ]),
  );
  callers.set("plus", await given.aReaderWith(admin, [{ tier: "plus", validUntil: future }]));
  callers.set("select for this author", await given.aReaderWith(admin, [{ tier: "select", authorId: author.userId }]));
  callers.set(
    "select for another author",
    await given.aReaderWith(admin, [{ tier: "select", authorId: otherAuthor.userId }]),
  );
  callers.set("ultimate", await given.aReaderWith(admin, [{ tier: "ultimate" }]));
  callers.set("the author", author);
  callers.set("another author", otherAuthor);
  callers.set("admin", admin);
  for (const access of ["free", "plus", "select"] as const) {
    const post = await given.aPost(author, { access });
    posts.set(access, post.postId);
    // One comment each, so a caller who may read sees it.
    expect((await postComment(author, post.postId, { body: `first on ${access}` })).status).toBe(201);
  }
});

const PLUS = () => [{ tier: "plus" }, { tier: "ultimate" }];
const SELECT = () => [{ tier: "select", authorId: author.userId }, { tier: "ultimate" }];
const ANY = () => [{ tier: "plus" }, { tier: "ultimate" }, { tier: "select" }];
const ALLOWED = "allowed" as const;
const SIGN_IN = "401" as const;
type Expected = typeof ALLOWED | typeof SIGN_IN | (() => { tier: string; authorId?: string }[]);

// [caller, post access, reading the comments, writing a comment]
const matrix: [Caller, Access, Expected, Expected][] = [
  ["anonymous", "free", ALLOWED, SIGN_IN],
  ["anonymous", "plus", PLUS, SIGN_IN],
  ["anonymous", "select", SELECT, SIGN_IN],
  ["no entitlement", "free", ALLOWED, ANY],
  ["no entitlement", "plus", PLUS, PLUS],
  ["no entitlement", "select", SELECT, SELECT],
  ["expired entitlements", "free", ALLOWED, ANY],
  ["expired entitlements", "plus", PLUS, PLUS],
  ["expired entitlements", "select", SELECT, SELECT],
  ["plus", "free", ALLOWED, ALLOWED],
  ["plus", "plus", ALLOWED, ALLOWED],
  ["plus", "select", SELECT, SELECT],
  ["select for this author", "free", ALLOWED, ALLOWED],
  ["select for this author", "plus", PLUS, PLUS],
  ["select for this author", "select", ALLOWED, ALLOWED],
  ["select for another author", "free", ALLOWED, ALLOWED],
  ["select for another author", "plus", PLUS, PLUS],
  ["select for another author", "select", SELECT, SELECT],
  ["ultimate", "free", ALLOWED, ALLOWED],
  ["ultimate", "plus", ALLOWED, ALLOWED],
  ["ultimate", "select", ALLOWED, ALLOWED],
  ["the author", "free", ALLOWED, ALLOWED],
  ["the author", "plus", ALLOWED, ALLOWED],
  ["the author", "select", ALLOWED, ALLOWED],
  ["another author", "free", ALLOWED, ANY],
  ["another author", "plus", PLUS, PLUS],
  ["another author", "select", SELECT, SELECT],
  ["admin", "free", ALLOWED, ALLOWED],
  ["admin", "plus", ALLOWED, ALLOWED],
  ["admin", "select", ALLOWED, ALLOWED],
];

describe("who may read and write comments", () => {
  it("covers every kind of caller for every post access", () => {
    expect(new Set(matrix.map(([caller, access]) => `${caller}/${access}`)).size).toBe(10 * 3);
  });

  it.each(matrix)("%s on a %s post: reading", async (caller, access, expected) => {
    const user = callers.get(caller);
    const response = await api.GET("/posts/{postId}/comments", {
      path: { postId: posts.get(access)! },
      ...(user ? { token: user.token } : {}),
    });
    if (expected === ALLOWED) {
      expect(response.status).toBe(200);
      expect(response.data.items.map((comment: { body: string }) => comment.body)).toContain(`first on ${access}`);
    } else {
      expect(response.status).toBe(403);
      expect(response.json).toEqual({
        error: {
          code: "subscription_required",
          message: expect.any(String),
          requiredEntitlements: (expected as () => unknown)(),
        },
      });
    }
  });

  it.each(matrix)("%s on a %s post: writing", async (caller, access, _, expected) => {
    const user = callers.get(caller);
    const postId = posts.get(access)!;
    const before = await commentCountOf(postId, author);
    const text = `${caller} on ${access}`;
    const response = user
      ? await postComment(user, postId, { body: text })
      : await api.POST("/posts/{postId}/comments", { path: { postId }, body: { body: text } });
    if (expected === ALLOWED) {
      expect(response.status).toBe(201);
      expect(response.json).toMatchObject({ postId, authorId: user!.userId, body: text });
      expect(await commentCountOf(postId, author)).toBe(before + 1);
      expect((await allCommentsOf(postId, author)).at(-1)).toEqual(response.data);
      return;
    }
    if (expected === SIGN_IN) {
      expectAuthorizerRefusal(response);
    } else {
      expect(response.status).toBe(403);
      expect(response.json).toEqual({
        error: { code: "subscription_required", message: expect.any(String), requiredEntitlements: expected() },
      });
    }
    expect(await commentCountOf(postId, author)).toBe(before);
    expect((await allCommentsOf(postId, author)).map((comment) => comment.body)).not.toContain(text);
  });
});
