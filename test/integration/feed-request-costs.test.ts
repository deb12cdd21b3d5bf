import { afterAll, describe, expect, it } from "vitest";
import { recordDynamoDbRequests } from "../support/request-recorder";
import { given } from "../support/given";
import { when } from "../support/when";
import { expectStatus, type TestUser } from "../support/host";

// The request counts that docs/data-model.md claims for GET /feed (pattern F9), measured: a page costs the
// caller's Query, the following list, ⌈K/100⌉ BatchGetItems and one Query per run the page needs; neither the
// followers of the followed authors nor the authors that cannot make the page add anything.
const counter = recordDynamoDbRequests();
afterAll(() => counter.stop());

/** Runs `count` steps, `parallel` at a time. */
async function inBatches<T>(count: number, step: (index: number) => Promise<T>, parallel = 10): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += parallel) {
    results.push(
      ...(await Promise.all(Array.from({ length: Math.min(parallel, count - start) }, (_, i) => step(start + i)))),
    );
  }
  return results;
}

async function interleaved(authors: TestUser[], rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) for (const author of authors) await given.aPost(author);
}

/** The requests of each page, in order, paging from the start with `limit` for `pages` pages. */
async function costOfPages(
  reader: TestUser,
  limit: number,
  pages: number,
): Promise<{ commands: string[][]; postIds: string[][] }> {
  const commands: string[][] = [];
  const postIds: string[][] = [];
  let cursor: string | null = null;
  for (let page = 0; page < pages; page++) {
    counter.reset();
    const response = await when.readsFeed(reader, { limit, ...(cursor ? { cursor } : {}) });
    expectStatus(response, 200);
    commands.push(counter.commands());
    postIds.push(response.data.items.map((item) => item.postId));
    cursor = response.data.nextCursor;
  }
  return { commands, postIds };
}

const queries = (n: number) => Array<string>(n).fill("Query");
const batchGets = (n: number) => Array<string>(n).fill("BatchGetItem");

describe("DynamoDB requests per feed page", () => {
  it("costs one Query without a profile, two when following no one", async () => {
    const caller = given.aLocalCaller();
    counter.reset();
    await when.readsFeed(caller);
    expect(counter.commands()).toEqual(["Query"]);
    const reader = await given.aReader();
    counter.reset();
    await when.readsFeed(reader);
    expect(counter.commands()).toEqual(["Query", "Query"]);
  });

  it("costs the same whether the followed authors have 3 or 60 followers, and so does publishing", async () => {
    const reader = await given.aReader();
    const authors = [await given.anAuthor(), await given.anAuthor(), await given.anAuthor()];
    // Publishes while its follower count grows as the others' does; the reader does not follow it.
    const publisher = await given.anAuthor();
    const others = await inBatches(60, () => given.aReader());
    for (const author of authors) await given.aFollow(reader, author);
    for (const other of others.slice(0, 2)) for (const author of authors) await given.aFollow(other, author);
    for (const other of others.slice(0, 3)) await given.aFollow(other, publisher);
    await interleaved(authors, 4); // 12 posts
    for (const author of [...authors, publisher])
      expect((await when.readsProfileOf(author)).data.followerCount).toBe(3);
    const publishCost = async () => {
      counter.reset();
      await given.aPost(publisher);
      return counter.requests.map((request) => [request.command, request.consumedCapacityUnits]);
    };

    const withThree = await costOfPages(reader, 5, 3);
    const publishWithThree = await publishCost();

    await inBatches(57 * 3, (i) => given.aFollow(others[2 + Math.floor(i / 3)]!, authors[i % 3]!));
    await inBatches(57, (i) => given.aFollow(others[3 + i]!, publisher));
    for (const author of [...authors, publisher])
      expect((await when.readsProfileOf(author)).data.followerCount).toBe(60);
    const withSixty = await costOfPages(reader, 5, 3);
    const publishWithSixty = await publishCost();

    expect(withSixty).toEqual(withThree);
    // Caller, following list, one BatchGetItem, then the author runs the page needs: all three authors
    // contribute to the pages of 5; the third page holds the last 2 posts, of two authors, and the cursor
    // told that the third author had no post left.
    expect(withThree.commands).toEqual([
      ["Query", "Query", "BatchGetItem", ...queries(3)],
      ["Query", "Query", "BatchGetItem", ...queries(3)],
      ["Query", "Query", "BatchGetItem", ...queries(2)],
    ]);
    expect(withThree.postIds.map((page) => page.length)).toEqual([5, 5, 2]);
    // No fan-out on write: publishing is the caller's Query and one transaction, with the same capacity.
    expect(publishWithThree.map(([command]) => command)).toEqual(["Query", "TransactWriteItems"]);
    expect(publishWithSixty).toEqual(publishWithThree);
  });

  it("costs only one more BatchGetItem when the reader follows 150 authors instead of 5", async () => {
    const reader = await given.aReader();
    // 145 quiet authors, each with one post older than every post of the 5 active ones.
    const quiet = await inBatches(145, async () => {
      const author = await given.anAuthor();
      await given.aPost(author);
      return author;
    });
    const active = await inBatches(5, () => given.anAuthor());
    await interleaved(active, 3); // 15 posts, newer than the quiet authors' ones
    for (const author of active) await given.aFollow(reader, author);

    const withFive = await costOfPages(reader, 5, 2);

    await inBatches(145, (i) => given.aFollow(reader, quiet[i]!));
    expect((await when.readsProfileOf(reader)).data.followingCount).toBe(150);
    const withHundredFifty = await costOfPages(reader, 5, 2);

    expect(withHundredFifty.postIds).toEqual(withFive.postIds);
    expect(withFive.commands).toEqual([
      ["Query", "Query", ...batchGets(1), ...queries(5)],
      ["Query", "Query", ...batchGets(1), ...queries(5)],
    ]);
    // ⌈150/100⌉ = 2 BatchGetItems; the quiet authors' runs are never read, their bounds being too old.
    expect(withHundredFifty.commands).toEqual([
      ["Query", "Query", ...batchGets(2), ...queries(5)],
      ["Query", "Query", ...batchGets(2), ...queries(5)],
    ]);
  });

  it("reads about limit + 1 runs per page, page after page, also over authors passed on earlier pages", async () => {
    // 30 authors, 3 posts each, interleaved: every page of 10 takes one post from each of 10 authors.
    const reader = await given.aReader();
    const authors = await inBatches(30, () => given.anAuthor());
    await inBatches(30, (i) => given.aFollow(reader, authors[i]!));
    await interleaved(authors, 3);
    const { commands, postIds } = await costOfPages(reader, 10, 9);
    expect(postIds.map((page) => page.length)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10]);
    expect(new Set(postIds.flat()).size).toBe(90);
    // 11 runs: the 10 authors of the page and the one holding the next post (the last page needs no such
    // look-ahead). Without the cursor's hints, pages 2.. would read again every author passed before (up to
    // all 30, test/unit/feed.test.ts counts it).
    expect(commands).toEqual([
      ...Array(8).fill(["Query", "Query", "BatchGetItem", ...queries(11)]),
      ["Query", "Query", "BatchGetItem", ...queries(10)],
    ]);
  });
});
