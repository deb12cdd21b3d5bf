// Part 2b: what a post's size costs. Posts of 50,000 characters (ASCII and 4-byte emoji) published through the
// API; each measured request runs alone through the local server's dispatch with the capacity meter on the
// shared client. Imported only after the benchmark environment is set: the stores read their configuration at load.
import { marshall } from "@aws-sdk/util-dynamodb";
import { dispatch } from "../../infra/local/server";
import { toPostBodyItem } from "../../shared/db/entities/post";
import { decodePostId } from "../../shared/domain/posts";
import { itemSize, readUnitsOf } from "../../test/support/item-size";
import { meterCapacity } from "../../test/support/capacity-meter";
import { aPostInTheOldLayout } from "../../test/support/post-storage";
import { migratePostBodies } from "../../shared/use-cases/post-migration";
import { toIncomingRequest, type SampleRequest } from "../../test/support/route-samples";
import { given } from "../../test/support/given";
import { type TestUser } from "../../test/support/host";

export const LONG_POST_CHARACTERS = 50_000;
export const PAGE = 100;

/** The targets docs/data-model.md ("post: a summary and a body") states for a post's size. */
export const targets = {
  commentRatio: 1.1,
  pageBytes: 150 * 1024,
  authorListUnits: 40,
  feedUnits: 60,
  /** Read units of GET /posts/{postId} beyond what its body's size requires (the summary, absent body keys). */
  postReadOverhead: 3,
};

export interface Measured {
  status: number;
  /** Read units of the request's BatchGetItem calls (GET /posts/{postId}: the post's own read). */
  batchGetReadUnits: number;
  bytes: number;
  commands: string[];
  readUnits: number;
  writeUnits: number;
  localUnits: number;
  bytesRead: number;
}

const characters = {
  ascii: (n: number) => "x".repeat(n),
  emoji: (n: number) => "📈".repeat(n),
};
export type Characters = keyof typeof characters;

async function inParallel<T>(count: number, width: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < count; start += width) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, k) => make(start + k)))));
  }
  return out;
}

export function postCostScenarios(jwtSecret: string) {
  const meter = meterCapacity();
  const measure = async (request: SampleRequest): Promise<Measured> => {
    meter.reset();
    const result = await dispatch(toIncomingRequest(request), { jwtSecret });
    return {
      status: result.statusCode ?? 0,
      batchGetReadUnits: meter.requests
        .filter((request) => request.command === "BatchGetItem")
        .reduce((sum, request) => sum + request.readUnits, 0),
      bytes: Buffer.byteLength(result.body ?? "", "utf8"),
      commands: meter.commands(),
      readUnits: meter.readUnits(),
      writeUnits: meter.writeUnits(),
      localUnits: meter.localUnits(),
      bytesRead: meter.bytesRead(),
    };
  };
  const body = (kind: Characters) => characters[kind](LONG_POST_CHARACTERS);

  return {
    stop: () => meter.stop(),

    /** A comment by an Ultimate subscriber on a free post with a body of `length` ASCII characters. */
    async comment(length: number): Promise<Measured> {
      const author = await given.anAuthor();
      const writer = await given.aReaderWith(await given.anAdmin(), [{ tier: "ultimate" }]);
      const post = await given.aPost(author, { body: characters.ascii(length) });
      return measure({
        method: "POST",
        path: `/posts/${post.postId}/comments`,
        token: writer.token,
        body: { body: "Support holds at 18,300." },
      });
    },

    /** The first page of 100 of an author's free posts (101 published), anonymously. */
    async authorList(kind: Characters): Promise<Measured> {
      const author = await given.anAuthor();
      await inParallel(PAGE + 1, 8, () => given.aPost(author, { body: body(kind) }));
      return measure({ method: "GET", path: `/users/${author.userId}/posts?limit=${PAGE}` });
    },

    /** The first feed page of 100 of a reader following 4 authors with 26 free posts each, interleaved in time. */
    async feed(kind: Characters): Promise<Measured> {
      const reader = await given.aReader();
      const authors: TestUser[] = await Promise.all(Array.from({ length: 4 }, () => given.anAuthor()));
      for (const author of authors) await given.aFollow(reader, author);
      for (let round = 0; round < 26; round++)
        await Promise.all(authors.map((author) => given.aPost(author, { body: body(kind) })));
      return measure({ method: "GET", path: `/feed?limit=${PAGE}`, token: reader.token });
    },

    /** GET /posts/{postId} of a plus post: by an Ultimate subscriber, a Plus subscriber, and anonymously (locked). */
    async postReads(
      kind: Characters,
    ): Promise<{ ultimate: Measured; plus: Measured; anonymous: Measured; bodyUnits: number }> {
      const admin = await given.anAdmin();
      const author = await given.anAuthor();
      const post = await given.aPost(author, { access: "plus", body: body(kind) });
      const ultimate = await given.aReaderWith(admin, [{ tier: "ultimate" }]);
      const plus = await given.aReaderWith(admin, [{ tier: "plus" }]);
      const path = `/posts/${post.postId}`;
      const results = {
        ultimate: await measure({ method: "GET", path, token: ultimate.token }),
        plus: await measure({ method: "GET", path, token: plus.token }),
        anonymous: await measure({ method: "GET", path }),
      };
      // What the body alone requires: its item (the body, its key, its attribute names) in 4 KB units.
      const bodyItem = toPostBodyItem(decodePostId(post.postId)!, "plus", 1, body(kind));
      return { ...results, bodyUnits: readUnitsOf(itemSize(marshall(bodyItem))) };
    },

    /**
     * The writes of a post of 50,000 ASCII characters beyond the route samples: publishing with an
     * Idempotency-Key and its replay, PATCHes that rewrite or move the body.
     */
    async postWrites(): Promise<{ pattern: string; what: string; measured: Measured }[]> {
      const author = await given.anAuthor();
      const input = { title: "Weekly outlook", body: body("ascii"), access: "plus" };
      const publish = { method: "POST", path: "/posts", token: author.token, body: input } as const;
      const withKey = await measure({ ...publish, headers: { "Idempotency-Key": "bench-key" } });
      const replay = await measure({ ...publish, headers: { "Idempotency-Key": "bench-key" } });
      const post = await given.aPost(author, { access: "plus", body: body("ascii") });
      const patch = (change: Record<string, unknown>) =>
        measure({ method: "PATCH", path: `/posts/${post.postId}`, token: author.token, body: change });
      return [
        { pattern: "P1", what: "publish with an Idempotency-Key", measured: withKey },
        { pattern: "P2", what: "replay of that publish", measured: replay },
        {
          pattern: "P4",
          what: "PATCH of the body (50,000 other characters)",
          measured: await patch({ body: characters.ascii(LONG_POST_CHARACTERS - 1) + "y" }),
        },
        {
          pattern: "P4",
          what: "PATCH of the access (plus to free: the body moves)",
          measured: await patch({ access: "free" }),
        },
      ];
    },

    /** The author list of 101 posts stored by version 1 (the body on the post item), then after `npm run migrate`. */
    async oldLayoutList(): Promise<{ before: Measured; after: Measured; migrated: number }> {
      const author = await given.anAuthor();
      const start = Date.now() - 10 * 60_000;
      for (let i = 0; i <= PAGE; i++)
        await aPostInTheOldLayout(author, { body: body("ascii") }, new Date(start + i * 1000));
      const path = `/users/${author.userId}/posts?limit=${PAGE}`;
      const before = await measure({ method: "GET", path });
      meter.reset();
      const progress = await migratePostBodies({ restart: true });
      const after = await measure({ method: "GET", path });
      return { before, after, migrated: progress.moved };
    },
  };
}
