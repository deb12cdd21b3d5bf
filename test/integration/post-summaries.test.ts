import { describe, expect, it } from "vitest";
import { api } from "../support/api/in-process";
import type { components } from "../support/api/types";

type PostSummary = components["schemas"]["PostSummary"];
import { given } from "../support/given";
import { type TestUser } from "../support/host";
import { expectNoStorageDetails } from "../support/then";
import { when } from "../support/when";

// Lists of posts carry PostSummary (contract 1.1): a Post without `body`, always, whoever asks; `locked` still
// says whether the caller may read the body, exactly as GET /posts/{postId} decides.

const summaryFields = [
  "access",
  "authorId",
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

// The end of each body, past any teaser (280 code points): a list that shows it carries a body.
const bodyOf = (access: string) => `${access} ${"·".repeat(300)} §the end of the body`;

interface Caller {
  user: TestUser | null;
  /** Accesses of the author's posts whose body this caller may read. */
  reads: string[];
}

async function callers(author: TestUser): Promise<Record<string, Caller>> {
  const admin = await given.anAdmin();
  const entitled = async (entitlements: components["schemas"]["EntitlementsInput"]["entitlements"]) => {
    const reader = await given.aReader();
    await given.entitlements(admin, reader, entitlements);
    return reader;
  };
  return {
    anonymous: { user: null, reads: ["free"] },
    "a reader": { user: await given.aReader(), reads: ["free"] },
    "a Plus subscriber": { user: await entitled([{ tier: "plus" }]), reads: ["free", "plus"] },
    "a Select subscriber of the author": {
      user: await entitled([{ tier: "select", authorId: author.userId }]),
      reads: ["free", "select"],
    },
    "an Ultimate subscriber": { user: await entitled([{ tier: "ultimate" }]), reads: ["free", "plus", "select"] },
    "another author": { user: await given.anAuthor(), reads: ["free"] },
    "the author": { user: author, reads: ["free", "plus", "select"] },
    "an admin": { user: admin, reads: ["free", "plus", "select"] },
  };
}

/** Each listed item is the post's summary: the single post's fields but the body, with the same `locked`. */
async function expectSummaries(items: PostSummary[], caller: Caller, who: string): Promise<void> {
  expect(items.length, who).toBeGreaterThan(0);
  for (const item of items) {
    expect(Object.keys(item).sort(), who).toEqual(summaryFields);
    expect(item.locked, who).toBe(!caller.reads.includes(String(item.access)));
    const single = await api.GET("/posts/{postId}", {
      path: { postId: item.postId },
      ...(caller.user ? { token: caller.user.token } : {}),
    });
    const { body, ...summary } = single.data;
    expect(summary, who).toEqual(item);
    expect(body === undefined, who).toBe(item.locked);
  }
}

describe("lists of posts carry summaries", () => {
  it("on an author's list, for every kind of caller", async () => {
    const author = await given.anAuthor();
    for (const access of ["free", "plus", "select"] as const)
      await given.aPost(author, { access, body: bodyOf(access) });
    for (const [who, caller] of Object.entries(await callers(author))) {
      const response = await api.GET("/users/{userId}/posts", {
        path: { userId: author.userId },
        ...(caller.user ? { token: caller.user.token } : {}),
      });
      expect(response.status, who).toBe(200);
      expect(response.text, who).not.toContain("§");
      expectNoStorageDetails(response.text);
      await expectSummaries(response.data.items, caller, who);
    }
  });

  it("on the feed, for every kind of signed-in caller", async () => {
    const author = await given.anAuthor();
    for (const access of ["free", "plus", "select"] as const)
      await given.aPost(author, { access, body: bodyOf(access) });
    for (const [who, caller] of Object.entries(await callers(author))) {
      if (caller.user === null || caller.user === author) continue; // the feed needs a token; no one follows themself
      expect((await when.follows(caller.user, author)).status, who).toBe(200);
      const response = await when.readsFeed(caller.user);
      expect(response.status, who).toBe(200);
      expect(response.text, who).not.toContain("§");
      await expectSummaries(response.data.items, caller, who);
    }
  });

  it("on the author's own feed, of the authors it follows", async () => {
    const author = await given.anAuthor();
    const other = await given.anAuthor();
    for (const access of ["free", "plus"] as const) await given.aPost(other, { access, body: bodyOf(access) });
    expect((await when.follows(author, other)).status).toBe(200);
    const response = await when.readsFeed(author);
    expect(response.text).not.toContain("§");
    await expectSummaries(response.data.items, { user: author, reads: ["free"] }, "an author reading another's posts");
  });
});
