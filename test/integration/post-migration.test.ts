import { describe, expect, it } from "vitest";
import { dynamoDb } from "../../shared/db/client";
import { postRefOf, type ItemKey } from "../../shared/db/keys";
import {
  deleteMigrationCheckpoint,
  POST_BODIES_MIGRATION,
  readMigrationCheckpoint,
} from "../../shared/db/post-migration-store";
import { migratePostBodies } from "../../shared/use-cases/post-migration";
import { api } from "../support/api/in-process";
import { crash, injectFaults } from "../support/faults";
import { anOperatorCommand } from "../support/operator-commands";
import { aPostInTheOldLayout, someComments, storedCommentsOf, storedItemsOfPost } from "../support/post-storage";
import { commentCountOf } from "../support/comments";
import { given } from "../support/given";
import { type TestUser } from "../support/host";
import { when } from "../support/when";

// `npm run migrate` moves posts stored by version 1 (the body on the post item) to 1.1's summary and body items:
// tested on items written exactly as version 1 wrote them (test/support/post-storage.ts).

const read = async (postId: string, caller?: TestUser) =>
  (await api.GET("/posts/{postId}", { path: { postId }, ...(caller ? { token: caller.token } : {}) })).data;
const listOf = async (author: TestUser) => (await when.listsPostsOf(author, undefined, { limit: 100 })).data.items;

/** The post is in 1.1's layout: a summary without body, ID or author, and one body item under its access. */
async function expectMoved(postId: string, body: string, access: string): Promise<void> {
  const { summary, bodies } = await storedItemsOfPost(postId);
  expect(summary).toBeDefined();
  expect(Object.keys(summary!)).not.toEqual(expect.arrayContaining(["body"]));
  expect(summary).not.toHaveProperty("postId");
  expect(summary).not.toHaveProperty("authorId");
  expect(bodies).toEqual([
    expect.objectContaining({ sk: `BODY#${access}`, entityType: "postBody", body, revision: summary!.bodyRevision }),
  ]);
}

/** Runs `migration`, making every DynamoDB request fail once `after` writes went through (the process died). */
async function killedAfter(after: number, migration: () => Promise<unknown>): Promise<void> {
  let writes = 0;
  const faults = injectFaults((command) => {
    if (writes >= after) return crash();
    if (command === "TransactWriteItems" || command === "PutItem") writes++;
    return undefined;
  });
  try {
    await expect(migration()).rejects.toMatchObject({ name: "InjectedCrash" });
  } finally {
    faults.stop();
  }
}

describe("npm run migrate", () => {
  it("moves posts stored by version 1 to a summary and a body item, and the API answers as before", async () => {
    const author = await given.anAuthor();
    const writer = await given.aReaderWith(await given.anAdmin(), [{ tier: "ultimate" }]);
    const free = await aPostInTheOldLayout(author, { access: "free", body: "A long look at the DAX. ".repeat(20) });
    const tradeCall = await aPostInTheOldLayout(author, { access: "plus", body: "Long DAX at 18,500, stop 18,300" });
    const select = await aPostInTheOldLayout(author, {
      access: "select",
      body: "📈".repeat(2_000),
      teaser: "Members only",
    });
    await someComments(free.postId, [writer], 3);
    await someComments(tradeCall.postId, [writer], 2);
    const posts = [free, tradeCall, select];

    // Before: readable from the old items; the paid post's teaser that version 1 derived from its body never shows.
    const before = await Promise.all(posts.map((post) => read(post.postId, author)));
    expect(before.map((post) => post.body)).toEqual(posts.map((post) => post.input.body));
    expect(before.map((post) => post.teaser)).toEqual([free.input.body.slice(0, 280), "", "Members only"]);
    expect(before.map((post) => post.commentCount)).toEqual([3, 2, 0]);
    const listedBefore = await listOf(author);
    expect(listedBefore.filter((item: object) => "body" in item)).toEqual([]);
    expect((await storedItemsOfPost(tradeCall.postId)).summary).toMatchObject({
      body: tradeCall.input.body,
      teaser: tradeCall.input.body,
    });

    const progress = await migratePostBodies();

    expect(progress).toMatchObject({ moved: 3, skipped: 0, complete: true, resumed: false, alreadyComplete: false });
    for (const post of posts) await expectMoved(post.postId, post.input.body, post.input.access);
    // The paid post's teaser is stored as 1.1 derives it: empty.
    expect((await storedItemsOfPost(tradeCall.postId)).summary).toMatchObject({ teaser: "", customTeaser: false });
    expect(await Promise.all(posts.map((post) => read(post.postId, author)))).toEqual(before);
    expect(await listOf(author)).toEqual(listedBefore);
    expect(await read(tradeCall.postId)).toMatchObject({ locked: true, teaser: "" });

    // The moved posts live on: counted comments, changes and deletion.
    await someComments(free.postId, [writer], 1);
    expect(await commentCountOf(free.postId, author)).toBe(4);
    const changed = await when.changesPost(author, select.postId, { access: "free" });
    expect(changed.json).toMatchObject({ access: "free", teaser: "Members only", body: select.input.body });
    await expectMoved(select.postId, select.input.body, "free");
    expect((await when.deletesPost(author, free.postId)).status).toBe(204);
    expect(await storedItemsOfPost(free.postId)).toEqual({ summary: undefined, bodies: [] });
    expect(await storedCommentsOf(free.postId)).toEqual([]);
  });

  it("changes nothing when run twice: a finished migration says so, a restarted one scans and moves nothing", async () => {
    const author = await given.anAuthor();
    const post = await aPostInTheOldLayout(author, { access: "plus" });
    await migratePostBodies({ restart: true });
    const moved = await storedItemsOfPost(post.postId);

    expect(await migratePostBodies()).toMatchObject({ alreadyComplete: true, pages: 0, scanned: 0, moved: 0 });
    const again = await migratePostBodies({ restart: true });
    expect(again).toMatchObject({ moved: 0, skipped: 0, complete: true });
    expect(again.scanned).toBeGreaterThan(0);
    expect(await storedItemsOfPost(post.postId)).toEqual(moved);
    expect(await readMigrationCheckpoint(POST_BODIES_MIGRATION)).toMatchObject({ complete: true });
  });

  it.each([0, 1, 3, 6, 11])("resumes after a crash after %i writes, every post readable throughout", async (after) => {
    const author = await given.anAuthor();
    const posts = [];
    for (let i = 0; i < 8; i++) {
      posts.push(
        await aPostInTheOldLayout(author, {
          access: (["free", "plus", "select"] as const)[i % 3],
          body: `Body ${i} ${"·".repeat(i * 100)}`,
        }),
      );
    }

    // A table the migration never ran on (earlier tests of this file finished theirs).
    await deleteMigrationCheckpoint(POST_BODIES_MIGRATION);

    await killedAfter(after, () => migratePostBodies({ pageSize: 25, concurrency: 2 }));

    // Half-way: each post is in one layout or the other, never both or neither, and reads as it was stored.
    for (const post of posts) {
      const { summary, bodies } = await storedItemsOfPost(post.postId);
      expect(summary?.body === undefined, post.input.body).toBe(bodies.length === 1);
      expect(bodies.length).toBeLessThanOrEqual(1);
      expect((await read(post.postId, author)).body).toBe(post.input.body);
    }
    const checkpoint = await readMigrationCheckpoint(POST_BODIES_MIGRATION);

    const resumed = await migratePostBodies({ pageSize: 25, concurrency: 2 });

    expect(resumed.complete).toBe(true);
    expect(resumed.resumed).toBe(checkpoint !== null && !checkpoint.complete);
    for (const post of posts) await expectMoved(post.postId, post.input.body, post.input.access);
    expect((await listOf(author)).map((item: { postId: string }) => item.postId)).toEqual(
      posts.map((post) => post.postId).reverse(),
    );
  });

  it("continues from its checkpoint after a crash: the pages done are not scanned again", async () => {
    const author = await given.anAuthor();
    const posts = [];
    for (let i = 0; i < 8; i++) posts.push(await aPostInTheOldLayout(author, { body: `Body ${i}` }));
    await deleteMigrationCheckpoint(POST_BODIES_MIGRATION);
    // The process dies at the first move after a page's checkpoint was written.
    let checkpoints = 0;
    const faults = injectFaults((command) => {
      if (command === "PutItem") checkpoints++;
      return command === "TransactWriteItems" && checkpoints > 0 ? crash() : undefined;
    });
    try {
      await expect(migratePostBodies({ pageSize: 5, concurrency: 1 })).rejects.toMatchObject({ name: "InjectedCrash" });
    } finally {
      faults.stop();
    }
    const checkpoint = await readMigrationCheckpoint(POST_BODIES_MIGRATION);
    expect(checkpoint).toMatchObject({ complete: false, next: expect.any(Object) });

    const resumed = await migratePostBodies({ pageSize: 5, concurrency: 1 });

    expect(resumed).toMatchObject({ resumed: true, complete: true });
    for (const post of posts) await expectMoved(post.postId, post.input.body, "free");
    const full = await migratePostBodies({ restart: true, pageSize: 5 });
    expect(full.moved).toBe(0);
    expect(resumed.scanned).toBeLessThan(full.scanned);
    expect(await readMigrationCheckpoint(POST_BODIES_MIGRATION)).toMatchObject({ complete: true });
  });

  it("keeps every change that lands between a post's read and its move: comments, patches, a deletion", async () => {
    const author = await given.anAuthor();
    const writer = await given.aReaderWith(await given.anAdmin(), [{ tier: "ultimate" }]);
    const old = async (access: "free" | "plus" | "select") =>
      aPostInTheOldLayout(author, { access, body: `${access} body ${"x".repeat(400)}` });
    const [commented, retitled, rewritten, deleted, teased, freed] = [
      await old("free"),
      await old("plus"),
      await old("select"),
      await old("free"),
      await old("plus"),
      await old("plus"),
    ];
    const interference = new Map<string, () => Promise<unknown>>([
      [commented.ref.id, () => someComments(commented.postId, [writer], 2)],
      [retitled.ref.id, () => when.changesPost(author, retitled.postId, { title: "Retitled" })],
      [rewritten.ref.id, () => when.changesPost(author, rewritten.postId, { body: "Rewritten" })],
      [deleted.ref.id, () => when.deletesPost(author, deleted.postId)],
      [teased.ref.id, () => when.changesPost(author, teased.postId, { teaser: "Now with a teaser" })],
      [freed.ref.id, () => when.changesPost(author, freed.postId, { access: "free" })],
    ]);
    // Right before the migration's transaction for a post, that post's change lands (once).
    const name = "interfere-with-migration";
    dynamoDb.middlewareStack.add(
      (next, context) => async (args) => {
        const update = (args.input as { TransactItems?: { Update?: { Key: ItemKey; UpdateExpression: string } }[] })
          .TransactItems?.[0]?.Update;
        if (
          context.commandName === "TransactWriteItemsCommand" &&
          update?.UpdateExpression.startsWith("SET bodyRevision = :revision")
        ) {
          const postUlid = postRefOf(update.Key).id;
          const change = interference.get(postUlid);
          interference.delete(postUlid);
          await change?.();
        }
        return next(args);
      },
      { step: "initialize", name },
    );
    try {
      await migratePostBodies({ restart: true, concurrency: 1 });
    } finally {
      dynamoDb.middlewareStack.remove(name);
    }

    expect(interference.size).toBe(0);
    expect(await commentCountOf(commented.postId, author)).toBe(2);
    await expectMoved(commented.postId, commented.input.body, "free");
    expect(await read(retitled.postId, author)).toMatchObject({ title: "Retitled", body: retitled.input.body });
    await expectMoved(retitled.postId, retitled.input.body, "plus");
    expect(await read(rewritten.postId, author)).toMatchObject({ body: "Rewritten", teaser: "" });
    await expectMoved(rewritten.postId, "Rewritten", "select");
    expect((await when.readsPost(deleted.postId)).status).toBe(404);
    expect(await storedItemsOfPost(deleted.postId)).toEqual({ summary: undefined, bodies: [] });
    expect(await read(teased.postId, author)).toMatchObject({ teaser: "Now with a teaser", body: teased.input.body });
    await expectMoved(teased.postId, teased.input.body, "plus");
    expect(await read(freed.postId)).toMatchObject({
      access: "free",
      locked: false,
      body: freed.input.body,
      teaser: freed.input.body.slice(0, 280),
    });
    await expectMoved(freed.postId, freed.input.body, "free");
    expect((await when.readsProfileOf(author)).data.postCount).toBe(5);
  });

  it("counts every comment written while the migration runs, exactly", async () => {
    const author = await given.anAuthor();
    const writers = await Promise.all(
      Array.from({ length: 4 }, async () => given.aReaderWith(await given.anAdmin(), [{ tier: "ultimate" }])),
    );
    const posts = [];
    for (let i = 0; i < 6; i++)
      posts.push(await aPostInTheOldLayout(author, { body: `Post ${i} ${"y".repeat(2_000)}` }));

    const [progress] = await Promise.all([
      migratePostBodies({ restart: true, pageSize: 10, concurrency: 1 }),
      Promise.all(posts.map((post, i) => someComments(post.postId, writers, 5 + i))),
    ]);

    expect(progress.complete).toBe(true);
    for (const [i, post] of posts.entries()) {
      expect(await commentCountOf(post.postId, author)).toBe(5 + i);
      expect(await storedCommentsOf(post.postId)).toHaveLength(5 + i);
      await expectMoved(post.postId, post.input.body, "free");
    }
  });
});

describe("the npm run migrate command", () => {
  const command = (args: string[]) => anOperatorCommand("infra/local/migrate.ts", args);

  it("moves the configured table's old posts with a progress line per page, and refuses an unknown option", async () => {
    const author = await given.anAuthor();
    const post = await aPostInTheOldLayout(author, { access: "select" });

    const done = await command(["--restart"]);

    expect(done.code).toBe(0);
    expect(done.err).toMatch(/^migrate: page 1: \d+ items scanned, \d+ posts moved, \d+ skipped/m);
    expect(JSON.parse(done.out)).toMatchObject({ complete: true, skipped: 0 });
    await expectMoved(post.postId, post.input.body, "select");
    expect((await command([])).err).toContain("migrate: already complete");
    expect((await command(["--no-such-option"])).code).toBe(2);
  });
});
