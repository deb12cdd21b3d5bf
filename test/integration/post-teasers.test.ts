import { describe, expect, it } from "vitest";
import { api } from "../support/api/in-process";
import { given } from "../support/given";
import { type TestUser } from "../support/host";
import { when } from "../support/when";

// The teaser rule of contract 1.1: without a teaser of its author's, a free post shows the first 280 code points
// of its body and a plus or select post shows nothing (a short paid post, a trade call, must never show itself);
// the derived teaser follows the post's current body and access, through PATCH too. An author's teaser stays.

const tradeCall = "Long DAX at 18,500, stop 18,300";
const longBody = `${"📈".repeat(300)} and the rest of the analysis`;

const patch = async (author: TestUser, postId: string, change: Record<string, unknown>) => {
  const response = await api.PATCH("/posts/{postId}", { path: { postId }, token: author.token, body: change });
  expect(response.status, response.text).toBe(200);
  return response.data;
};

/** The teaser as every reader sees it: the post itself, anonymously, and the author's list. */
async function teaserEverywhere(author: TestUser, postId: string): Promise<string> {
  const single = (await api.GET("/posts/{postId}", { path: { postId } })).data;
  const listed = (await when.listsPostsOf(author, undefined, { limit: 100 })).data.items.find(
    (item) => item.postId === postId,
  );
  expect(listed?.teaser).toBe(single.teaser);
  return single.teaser;
}

describe("the teaser rule", () => {
  it.each([
    ["free", "a long body (4-byte characters)", longBody, "📈".repeat(280)],
    ["free", "a trade call", tradeCall, tradeCall],
    ["plus", "a trade call", tradeCall, ""],
    ["plus", "a long body", longBody, ""],
    ["select", "a trade call", tradeCall, ""],
  ] as const)("a %s post without a teaser, with %s, shows its derived teaser", async (access, _, body, teaser) => {
    const author = await given.anAuthor();
    const post = await given.aPost(author, { access, body });
    expect(post.teaser).toBe(teaser);
    expect(await teaserEverywhere(author, post.postId)).toBe(teaser);
    if (access !== "free") {
      const anonymous = await when.readsPost(post.postId);
      expect(anonymous.data.locked).toBe(true);
      expect(anonymous.text).not.toContain("18,500");
      expect((await when.listsPostsOf(author)).text).not.toContain("18,500");
    }
  });

  it.each(["free", "plus", "select"] as const)(
    "a %s post keeps the teaser its author wrote, an empty one included",
    async (access) => {
      const author = await given.anAuthor();
      const written = await given.aPost(author, { access, body: longBody, teaser: "Where the index goes next" });
      expect(await teaserEverywhere(author, written.postId)).toBe("Where the index goes next");
      const empty = await given.aPost(author, { access, body: longBody, teaser: "" });
      expect(await teaserEverywhere(author, empty.postId)).toBe("");
    },
  );

  it("follows the access through PATCH: free to plus empties it, back to free derives it from the current body", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author, { access: "free", body: tradeCall });
    expect((await patch(author, post.postId, { access: "plus" })).teaser).toBe("");
    expect(await teaserEverywhere(author, post.postId)).toBe("");
    expect((await patch(author, post.postId, { access: "select" })).teaser).toBe("");
    expect((await patch(author, post.postId, { body: longBody })).teaser).toBe("");
    expect((await patch(author, post.postId, { access: "free" })).teaser).toBe("📈".repeat(280));
    expect(await teaserEverywhere(author, post.postId)).toBe("📈".repeat(280));
  });

  it("follows the body through PATCH on a free post, also when body and access change at once", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author, { access: "free", body: "First take" });
    expect((await patch(author, post.postId, { body: "Second take" })).teaser).toBe("Second take");
    expect((await patch(author, post.postId, { body: tradeCall, access: "plus" })).teaser).toBe("");
    expect((await patch(author, post.postId, { body: "Third take", access: "free" })).teaser).toBe("Third take");
    expect(await teaserEverywhere(author, post.postId)).toBe("Third take");
  });

  it("keeps an author's teaser through every change of body and access, and a teaser set later", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author, { access: "plus", body: tradeCall, teaser: "A trade for this week" });
    for (const change of [
      { access: "free" },
      { body: longBody },
      { access: "select", body: "Other" },
      { title: "New title" },
    ]) {
      expect((await patch(author, post.postId, change)).teaser).toBe("A trade for this week");
    }
    const derived = await given.aPost(author, { access: "free", body: "Derived" });
    expect((await patch(author, derived.postId, { teaser: "Written" })).teaser).toBe("Written");
    expect((await patch(author, derived.postId, { access: "plus" })).teaser).toBe("Written");
    expect((await patch(author, derived.postId, { access: "free", body: "Changed" })).teaser).toBe("Written");
    expect(await teaserEverywhere(author, derived.postId)).toBe("Written");
  });

  it("moves the body with the access: readers of the new access read it, readers of the old one no longer do", async () => {
    const admin = await given.anAdmin();
    const author = await given.anAuthor();
    const plusReader = await given.aReader();
    await given.entitlements(admin, plusReader, [{ tier: "plus" }]);
    const post = await given.aPost(author, { access: "select", body: tradeCall });
    expect((await when.readsPost(post.postId, plusReader)).json).toMatchObject({ locked: true });
    await patch(author, post.postId, { access: "plus" });
    expect((await when.readsPost(post.postId, plusReader)).json).toMatchObject({
      locked: false,
      body: tradeCall,
    });
    await patch(author, post.postId, { access: "free" });
    expect((await when.readsPost(post.postId)).json).toMatchObject({
      locked: false,
      body: tradeCall,
      teaser: tradeCall,
    });
  });
});
