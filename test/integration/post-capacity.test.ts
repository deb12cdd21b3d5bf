import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { meterCapacity } from "../support/capacity-meter";
import { given } from "../support/given";
import { when } from "../support/when";

// What a post's size costs, billed by AWS's rules (test/support/capacity-meter.ts): comments update a small
// summary, lists read summaries only, and a post's body is read by a reader who may read it, never otherwise.
const meter = meterCapacity();
afterAll(() => meter.stop());
beforeEach(() => meter.reset());

const long = "x".repeat(50_000);

describe("billed capacity of posts", () => {
  it("bills a comment on a 50,000-character post exactly as one on a 5-character post", async () => {
    const author = await given.anAuthor();
    const writer = await given.aReaderWith(await given.anAdmin(), [{ tier: "ultimate" }]);
    const billedComment = async (body: string) => {
      const post = await given.aPost(author, { body });
      meter.reset();
      expect((await when.comments(writer, post.postId, "Agreed.")).status).toBe(201);
      return {
        units: meter.billedUnits(),
        bytes: meter.bytesRead() + meter.requests.reduce((sum, request) => sum + request.bytesWritten, 0),
      };
    };
    const short = await billedComment("Short");
    const longPost = await billedComment(long);
    expect(longPost.units).toBe(short.units);
    // Neither reads nor writes anything near the body's size.
    expect(longPost.bytes).toBeLessThan(short.bytes + 1_000);
  });

  it("reads a locked post's summary alone, and a readable post's body once", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author, { access: "plus", body: long });
    meter.reset();
    expect((await when.readsPost(post.postId)).data.locked).toBe(true);
    // The summary, and the free body's key, which finds nothing: one unit each.
    expect([meter.commands(), meter.readUnits(), meter.bytesRead()]).toEqual([["BatchGetItem"], 2, expect.any(Number)]);
    expect(meter.bytesRead()).toBeLessThan(1_000);

    meter.reset();
    expect((await when.readsPost(post.postId, author)).data.body).toBe(long);
    const [caller, read] = meter.requests;
    expect(caller!.command).toBe("Query");
    // The body (50,000 bytes and its item's attributes: 13 units), the summary and two absent keys.
    expect(read).toMatchObject({ command: "BatchGetItem", readUnits: Math.ceil(50_100 / 4096) + 1 + 2 });
  });

  it("lists ten 50,000-character posts by reading their summaries only", async () => {
    const author = await given.anAuthor();
    for (let i = 0; i < 10; i++) await given.aPost(author, { body: long });
    meter.reset();
    const response = await when.listsPostsOf(author, undefined, { limit: 10 });
    expect(response.data.items).toHaveLength(10);
    expect(meter.commands()).toEqual(["Query"]);
    // The profile and eleven summaries (each with its 280-character teaser): well under one body.
    expect(meter.bytesRead()).toBeLessThan(12 * 1_000);
    expect(meter.readUnits()).toBe(Math.ceil(meter.bytesRead() / 4096));
  });
});
