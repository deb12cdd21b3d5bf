import { describe, expect, it } from "vitest";
import {
  authorFingerprint,
  comparePositions,
  decodeFloors,
  decodeHints,
  encodeFloors,
  encodeHints,
  FLOOR_BUCKETS,
  MAX_CURSOR_HINTS,
  mergeFeedPage,
  type FeedAuthor,
  type FeedCursor,
  type FeedPage,
  type FetchPosts,
  type PostBound,
} from "../../shared/domain/feed";
import { ulid, ulidTime } from "../../shared/ids";

// The feed's merge, checked against the obvious answer (every visible post of every followed author, sorted) on
// random worlds, with the cursor going through its real encoding between pages.

interface WorldPost {
  ulid: string;
  authorId: string;
  visible: boolean;
}

/** A tiny deterministic random generator, so a failing seed can be replayed. */
function random(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
  return { next, int: (below: number) => Math.floor(next() * below), chance: (p: number) => next() < p };
}

class World {
  posts: WorldPost[] = [];
  latest = new Map<string, string>();
  legacy = new Set<string>();
  /** Followed authors and when they were followed. */
  followed = new Map<string, number>();
  fetches = 0;
  /** Rounds of reads: a round starts when a read starts with none in flight. */
  rounds = 0;
  private inFlight = 0;
  /** The clock of the pages (epoch ms). */
  now = 0;

  publish(authorId: string, id: string): WorldPost {
    const post = { ulid: id, authorId, visible: true };
    this.posts.push(post);
    if (!this.legacy.has(authorId) && (this.latest.get(authorId) ?? "") < id) this.latest.set(authorId, id);
    return post;
  }

  authors(): FeedAuthor[] {
    return [...this.followed].map(([authorId, followedAt]) => ({
      authorId,
      latestPostUlid: this.latest.get(authorId) ?? null,
      postCount: this.posts.filter((post) => post.authorId === authorId && post.visible).length,
      followedAt,
    }));
  }

  /** Behaves as getPostsOfAuthorBelow: a Limit reached means a `next`, even when nothing follows. */
  fetch: FetchPosts<WorldPost> = async (authorId: string, below: PostBound, limit: number) => {
    this.fetches++;
    if (this.inFlight++ === 0) this.rounds++;
    await Promise.resolve(); // the reads of one round are all under way before any answers
    this.inFlight--;
    const run = this.posts
      .filter((post) => post.authorId === authorId && post.visible)
      .filter((post) => (below.inclusive ? post.ulid <= below.ulid : post.ulid < below.ulid))
      .sort((a, b) => (a.ulid < b.ulid ? 1 : -1))
      .slice(0, limit);
    return {
      posts: run.map((post) => ({ ulid: post.ulid, post })),
      next: run.length === limit ? { ulid: run.at(-1)!.ulid, inclusive: false } : null,
    };
  };

  /** What a page read now may show: visible posts of authors followed now. */
  showable(): Set<WorldPost> {
    return new Set(this.posts.filter((post) => post.visible && this.followed.has(post.authorId)));
  }

  expected(): WorldPost[] {
    return [...this.showable()].sort((a, b) => comparePositions(b, a));
  }
}

/** What a client holding the cursor sends back: the cursor through its wire encoding. */
function roundTrip(cursor: FeedCursor): FeedCursor {
  const hints = decodeHints(cursor.at, encodeHints(cursor.at, cursor.hints));
  const floors = decodeFloors(cursor.at, encodeFloors(cursor.at, cursor.floors));
  if (!hints || !floors) throw new Error("the cursor did not decode");
  expect(hints).toEqual(cursor.hints);
  expect(floors).toEqual(cursor.floors);
  return { at: cursor.at, madeAt: cursor.madeAt, hints, floors };
}

/** Pages through the world; `between` runs after each page; each page is checked against what was showable then. */
async function readAll(world: World, limit: number, maxHints?: number, between?: () => void) {
  const pages: WorldPost[][] = [];
  let cursor: FeedCursor | null = null;
  for (let guard = 0; guard < 500; guard++) {
    const showable = world.showable();
    const page = await mergeFeedPage(world.authors(), cursor, limit, world.fetch, {
      now: world.now,
      ...(maxHints === undefined ? {} : { maxHints }),
    });
    pages.push(page.posts.map((item) => item.post));
    for (const item of page.posts) expect(showable.has(item.post)).toBe(true);
    if (page.next) expect(page.posts).toHaveLength(limit);
    if (!page.next) return pages;
    cursor = roundTrip(page.next);
    world.now += 1_000;
    between?.();
  }
  throw new Error("paging did not end");
}

const BASE = Date.parse("2026-03-01T00:00:00.000Z");

function buildWorld(seed: number) {
  const rnd = random(seed);
  const world = new World();
  const authorCount = 1 + rnd.int(25);
  const authors = Array.from({ length: authorCount }, (_, i) => `author-${String.fromCharCode(97 + (i % 26))}${i}`);
  for (const authorId of authors) {
    if (rnd.chance(0.15)) world.legacy.add(authorId);
    const count = rnd.int(12);
    for (let i = 0; i < count; i++) {
      // Few distinct milliseconds, so that many posts share one (and the hints' millisecond precision matters).
      const post = world.publish(authorId, ulid(BASE + rnd.int(40) * 1000 + rnd.int(3)));
      if (rnd.chance(0.1)) post.visible = false; // deleted, or being deleted
    }
    if (rnd.chance(0.05)) {
      // Two authors with the very same ULID: the author ID orders them.
      const twin = world.posts.at(-1);
      if (twin && twin.authorId !== authors[0]) world.publish(authors[0]!, twin.ulid);
    }
  }
  for (const authorId of authors) if (!rnd.chance(0.1)) world.followed.set(authorId, BASE - 86_400_000);
  // Pages are read ten minutes after the last post: every post and follow is settled (FLOOR_MARGIN_MS).
  world.now = BASE + 600_000;
  // Tiny hint budgets, so that most of what a cursor knows goes through the floors.
  const maxHints = rnd.chance(0.3) ? undefined : rnd.int(4);
  return { world, rnd, authors, maxHints };
}

describe("the feed merge", () => {
  it("orders positions by ULID, then by author", () => {
    expect(comparePositions({ ulid: "B", authorId: "a" }, { ulid: "A", authorId: "z" })).toBeGreaterThan(0);
    expect(comparePositions({ ulid: "A", authorId: "b" }, { ulid: "A", authorId: "a" })).toBeGreaterThan(0);
    expect(comparePositions({ ulid: "A", authorId: "a" }, { ulid: "A", authorId: "a" })).toBe(0);
  });

  it.each(Array.from({ length: 200 }, (_, seed) => seed + 1))(
    "pages a random world exactly as sorting it would (seed %i)",
    async (seed) => {
      const { world, rnd, maxHints } = buildWorld(seed);
      const limit = 1 + rnd.int(12);
      const pages = await readAll(world, limit, maxHints);
      expect(pages.flat()).toEqual(world.expected());
    },
  );

  it.each(Array.from({ length: 200 }, (_, seed) => seed + 1000))(
    "pages without gaps or duplicates while authors publish, delete, are unfollowed and followed (seed %i)",
    async (seed) => {
      const { world, rnd, authors, maxHints } = buildWorld(seed);
      const limit = 1 + rnd.int(8);
      const atStart = new Set(world.expected());
      const newest = world.expected()[0];
      const published = new Set<WorldPost>();
      const deleted = new Set<WorldPost>();
      const unfollowedOrLate = new Set<string>(authors.filter((authorId) => !world.followed.has(authorId)));
      const pages = await readAll(world, limit, maxHints, () => {
        for (let i = rnd.int(4); i > 0; i--) {
          // Mostly new posts; some whose ULID was made before the last page was read but that committed after
          // it (a publish in flight), which may sort anywhere below the cursor.
          const time = rnd.chance(0.7) ? world.now : world.now - 1_000 - rnd.int(50_000);
          published.add(world.publish(authors[rnd.int(authors.length)]!, ulid(time)));
        }
        if (rnd.chance(0.3)) {
          const visible = world.posts.filter((post) => post.visible);
          const victim = visible[rnd.int(visible.length)];
          if (victim) {
            victim.visible = false;
            deleted.add(victim);
          }
        }
        if (rnd.chance(0.15) && world.followed.size > 0) {
          const gone = [...world.followed.keys()][rnd.int(world.followed.size)]!;
          world.followed.delete(gone);
          unfollowedOrLate.add(gone);
        }
        if (rnd.chance(0.15)) {
          // A follow made now, perhaps of an author unfollowed before: its older posts may show on later pages.
          const added = authors[rnd.int(authors.length)]!;
          if (!world.followed.has(added)) {
            world.followed.set(added, world.now);
            unfollowedOrLate.add(added);
          }
        }
      });
      const seen = pages.flat();
      // Strictly newest first, so no post twice. (readAll checked that each page showed only what it could.)
      for (let i = 1; i < seen.length; i++) expect(comparePositions(seen[i - 1]!, seen[i]!)).toBeGreaterThan(0);
      // No post newer than everything at the start shows on a later page.
      const newer = pages
        .slice(1)
        .flat()
        .filter((post) => newest && comparePositions(post, newest) > 0);
      expect(newer).toEqual([]);
      // Every post there at the start, never deleted and of an author followed all along, shows.
      const missing = [...atStart].filter(
        (post) => !deleted.has(post) && !unfollowedOrLate.has(post.authorId) && !seen.includes(post),
      );
      expect(missing).toEqual([]);
    },
  );

  it("reads only the authors that make the page, and remembers the passed ones across pages", async () => {
    // 30 authors, each with 3 posts; their posts interleave: author i posts at minutes i, 30 + i, 60 + i.
    const world = new World();
    const authors = Array.from({ length: 30 }, (_, i) => `author-${String(i).padStart(2, "0")}`);
    for (const round of [0, 1, 2]) {
      authors.forEach((authorId, i) => world.publish(authorId, ulid(BASE + (round * 30 + i) * 60_000)));
    }
    for (const authorId of authors) world.followed.set(authorId, BASE - 86_400_000);
    world.now = BASE + 100 * 60_000;
    const costs = async (maxHints: number | undefined, bare = false) => {
      const fetches: number[] = [];
      const rounds: number[] = [];
      let cursor: FeedCursor | null = null;
      for (let page = 0; page < 9; page++) {
        world.fetches = 0;
        world.rounds = 0;
        const forPage: FeedCursor | null = cursor && bare ? { ...cursor, hints: new Map(), floors: new Map() } : cursor;
        const result: FeedPage<WorldPost> = await mergeFeedPage(world.authors(), forPage, 10, world.fetch, {
          now: world.now,
          ...(maxHints === undefined ? {} : { maxHints }),
        });
        expect(result.posts.map((item) => item.post)).toEqual(world.expected().slice(page * 10, page * 10 + 10));
        fetches.push(world.fetches);
        rounds.push(world.rounds);
        cursor = result.next && roundTrip(result.next);
      }
      return { fetches, rounds };
    };
    // Each page of 10 takes its 10 posts from 10 authors and reads the 11th (but the last page): 11 runs, in
    // a few parallel rounds (not one round per run).
    const hinted = await costs(undefined);
    expect(hinted.fetches).toEqual([11, 11, 11, 11, 11, 11, 11, 11, 10]);
    expect(Math.max(...hinted.rounds)).toBeLessThanOrEqual(5);
    // With every hint folded into the floors, a few more (authors sharing a bucket with a needed one).
    const folded = await costs(0);
    expect(folded.fetches.reduce((a, b) => a + b)).toBeLessThan(9 * 11 * 1.5);
    // A cursor that remembered nothing but its position reads again every author passed before.
    expect((await costs(undefined, true)).fetches).toEqual([11, 21, 30, 30, 30, 30, 30, 30, 30]);
  });

  it("applies a floor only to authors whose newest post and follow were settled when the cursor was made", async () => {
    // a..d post every 4 s (interleaved); e..h post once long ago and once after all of them: the first page.
    const world = new World();
    for (const round of [0, 1, 2, 3])
      ["a", "b", "c", "d"].forEach((authorId, i) => world.publish(authorId, ulid(BASE + round * 4000 + i * 1000)));
    ["e", "f", "g", "h"].forEach((authorId, i) => {
      world.publish(authorId, ulid(BASE - 100_000 + i));
      world.publish(authorId, ulid(BASE + 16_000 + i * 1000));
    });
    for (const authorId of "abcdefgh") world.followed.set(authorId, BASE - 1000);
    world.now = BASE + 30_000; // e..h's newest posts are 11-14 s old: not settled yet
    const first = await mergeFeedPage(world.authors(), null, 4, world.fetch, { now: world.now, maxHints: 0 });
    expect(first.posts.map((item) => item.post.authorId)).toEqual(["h", "g", "f", "e"]);
    expect(first.next!.hints.size).toBe(0);
    const secondPage = async (cursor: FeedCursor) => {
      world.fetches = 0;
      const page = await mergeFeedPage(world.authors(), cursor, 4, world.fetch, { now: world.now });
      expect(page.posts.map((item) => item.post.authorId)).toEqual(["d", "c", "b", "a"]);
      return world.fetches;
    };
    // Made 30 s after e..h published: e..h might have published since the cursor was made, so no floor
    // applies to them, and they are read again from the cursor down: every author at least once.
    expect(await secondPage(roundTrip(first.next!))).toBeGreaterThanOrEqual(8);
    // The same cursor made two minutes later: the floors hold e..h down to their old posts; only a..d are read.
    expect(await secondPage({ ...roundTrip(first.next!), madeAt: BASE + 150_000 })).toBe(4);
  });

  it("hints and floors survive their encoding, and a malformed one is refused", () => {
    const at = { ulid: ulid(Date.parse("2026-03-01T00:00:00.000Z")), authorId: "a" };
    const atTime = ulidTime(at.ulid);
    const hints = new Map<string, number | null>([
      [authorFingerprint("x"), atTime - 5],
      [authorFingerprint("y"), null],
      [authorFingerprint("z"), atTime - 400 * 24 * 3600 * 1000],
      [authorFingerprint("w"), 0],
    ]);
    expect(decodeHints(at, encodeHints(at, hints))).toEqual(hints);
    expect(decodeHints(at, "")).toEqual(new Map());
    expect(decodeHints(at, "AAAA")).toBeNull(); // too short for an entry
    expect(decodeHints(at, encodeHints(at, hints) + "A")).toBeNull(); // not canonical base64url
    expect(
      decodeHints(at, Buffer.from([1, 2, 3, 4, 5, 6, 255, 255, 255, 255, 255, 255, 255, 1]).toString("base64url")),
    ).toBeNull();

    const floors = new Map<number, number | null>([
      [0, atTime],
      [7, null],
      [FLOOR_BUCKETS - 1, atTime - 86_400_000],
    ]);
    expect(decodeFloors(at, encodeFloors(at, floors))).toEqual(floors);
    expect(encodeFloors(at, new Map())).toBe("");
    expect(decodeFloors(at, "")).toEqual(new Map());
    expect(decodeFloors(at, "AAAA")).toBeNull(); // too few buckets
    expect(decodeFloors(at, encodeFloors(at, floors) + "AA")).toBeNull(); // too many
  });
});

describe("the feed cursor on the wire", () => {
  it("stays under the 4,096 characters a cursor may have, even full and with old posts", async () => {
    const { readFeedCursor, writeFeedCursor } = await import("../../shared/use-cases/feed");
    const at = { ulid: ulid(Date.parse("2026-03-01T00:00:00.000Z")), authorId: "x".repeat(128) };
    const fiveYears = 5 * 365 * 86_400_000;
    const cursor: FeedCursor = {
      at,
      madeAt: Date.now(),
      hints: new Map(
        Array.from({ length: MAX_CURSOR_HINTS }, (_, i) => [
          authorFingerprint(`author-${i}`),
          ulidTime(at.ulid) - fiveYears + i,
        ]),
      ),
      floors: new Map(
        Array.from({ length: FLOOR_BUCKETS }, (_, bucket) => [bucket, ulidTime(at.ulid) - fiveYears + bucket]),
      ),
    };
    const text = writeFeedCursor(`feed:${"r".repeat(128)}`, cursor);
    expect(text.length).toBeLessThan(4096);
    expect(readFeedCursor(`feed:${"r".repeat(128)}`, text)).toEqual(cursor);
  });
});
