import { describe, expect, it } from "vitest";
import {
  authorFingerprint,
  comparePositions,
  decodeHints,
  encodeHints,
  mergeFeedPage,
  type FeedAuthor,
  type FeedCursor,
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
  followed: string[] = [];
  fetches = 0;

  publish(authorId: string, id: string): WorldPost {
    const post = { ulid: id, authorId, visible: true };
    this.posts.push(post);
    if (!this.legacy.has(authorId) && (this.latest.get(authorId) ?? "") < id) this.latest.set(authorId, id);
    return post;
  }

  authors(): FeedAuthor[] {
    return this.followed.map((authorId) => ({
      authorId,
      latestPostUlid: this.latest.get(authorId) ?? null,
      postCount: this.posts.filter((post) => post.authorId === authorId && post.visible).length,
    }));
  }

  /** Behaves as getPostsOfAuthorBelow: a Limit reached means a `next`, even when nothing follows. */
  fetch: FetchPosts<WorldPost> = async (authorId: string, below: PostBound, limit: number) => {
    this.fetches++;
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

  expected(): WorldPost[] {
    const followed = new Set(this.followed);
    return this.posts
      .filter((post) => post.visible && followed.has(post.authorId))
      .sort((a, b) => comparePositions(b, a));
  }
}

/** What a client holding the cursor sends back: the cursor through its wire encoding. */
function roundTrip(cursor: FeedCursor): FeedCursor {
  const hints = decodeHints(cursor.at, encodeHints(cursor.at, cursor.hints));
  if (!hints) throw new Error("hints did not decode");
  return { at: cursor.at, hints };
}

async function readAll(world: World, limit: number, between?: () => void) {
  const pages: WorldPost[][] = [];
  let cursor: FeedCursor | null = null;
  for (let guard = 0; guard < 500; guard++) {
    const page = await mergeFeedPage(world.authors(), cursor, limit, world.fetch);
    pages.push(page.posts.map((item) => item.post));
    if (page.next) expect(page.posts).toHaveLength(limit);
    if (!page.next) return pages;
    cursor = roundTrip(page.next);
    between?.();
  }
  throw new Error("paging did not end");
}

function buildWorld(seed: number) {
  const rnd = random(seed);
  const world = new World();
  const authorCount = 1 + rnd.int(25);
  const authors = Array.from({ length: authorCount }, (_, i) => `author-${String.fromCharCode(97 + (i % 26))}${i}`);
  const base = Date.parse("2026-03-01T00:00:00.000Z");
  for (const authorId of authors) {
    if (rnd.chance(0.15)) world.legacy.add(authorId);
    const count = rnd.int(12);
    for (let i = 0; i < count; i++) {
      // Few distinct milliseconds, so that many posts share one (and the hints' millisecond precision matters).
      const post = world.publish(authorId, ulid(base + rnd.int(40) * 1000 + rnd.int(3)));
      if (rnd.chance(0.1)) post.visible = false; // deleted, or being deleted
    }
    if (rnd.chance(0.05)) {
      // Two authors with the very same ULID: the author ID orders them.
      const twin = world.posts.at(-1);
      if (twin && twin.authorId !== authors[0]) world.publish(authors[0]!, twin.ulid);
    }
  }
  world.followed = authors.filter(() => !rnd.chance(0.1));
  return { world, rnd, authors, base };
}

describe("the feed merge", () => {
  it("orders positions by ULID, then by author", () => {
    expect(comparePositions({ ulid: "B", authorId: "a" }, { ulid: "A", authorId: "z" })).toBeGreaterThan(0);
    expect(comparePositions({ ulid: "A", authorId: "b" }, { ulid: "A", authorId: "a" })).toBeGreaterThan(0);
    expect(comparePositions({ ulid: "A", authorId: "a" }, { ulid: "A", authorId: "a" })).toBe(0);
  });

  it.each(Array.from({ length: 150 }, (_, seed) => seed + 1))("pages a random world exactly as sorting it would (seed %i)", async (seed) => {
    const { world, rnd } = buildWorld(seed);
    const limit = 1 + rnd.int(12);
    const pages = await readAll(world, limit);
    expect(pages.flat()).toEqual(world.expected());
  });

  it.each(Array.from({ length: 150 }, (_, seed) => seed + 1000))(
    "pages without gaps or duplicates while authors publish, delete and are unfollowed (seed %i)",
    async (seed) => {
      const { world, rnd, authors, base } = buildWorld(seed);
      const limit = 1 + rnd.int(8);
      const atStart = new Set(world.expected());
      const published = new Set<WorldPost>();
      const deleted = new Set<WorldPost>();
      const unfollowed = new Set<string>();
      let clock = base + 60_000;
      const pages = await readAll(world, limit, () => {
        for (let i = rnd.int(4); i > 0; i--) {
          published.add(world.publish(authors[rnd.int(authors.length)]!, ulid((clock += rnd.int(3)))));
        }
        if (rnd.chance(0.3)) {
          const visible = world.posts.filter((post) => post.visible);
          const victim = visible[rnd.int(visible.length)];
          if (victim) {
            victim.visible = false;
            deleted.add(victim);
          }
        }
        if (rnd.chance(0.15) && world.followed.length > 0) {
          const gone = world.followed.splice(rnd.int(world.followed.length), 1)[0]!;
          unfollowed.add(gone);
        }
      });
      const seen = pages.flat();
      // Strictly newest first, so no post twice.
      for (let i = 1; i < seen.length; i++) expect(comparePositions(seen[i - 1]!, seen[i]!)).toBeGreaterThan(0);
      // No post published after the first page shows on a later one.
      const afterFirst = pages.slice(1).flat();
      expect(afterFirst.filter((post) => published.has(post))).toEqual([]);
      // Every post there at the start, never deleted and of an author still followed, shows.
      const missing = [...atStart].filter(
        (post) => !deleted.has(post) && !unfollowed.has(post.authorId) && !seen.includes(post),
      );
      expect(missing).toEqual([]);
      // Nothing shows after its deletion or its author's unfollow: every page shows only what was visible then
      // (checked in bulk: what shows is either in the start set or on the first page).
      for (const post of seen) expect(atStart.has(post) || pages[0]!.includes(post)).toBe(true);
    },
  );

  it("reads only the authors that make the page, and remembers the passed ones across pages", async () => {
    // 30 authors, each with 3 posts; their posts interleave: author i posts at minutes i, 30 + i, 60 + i.
    const world = new World();
    const base = Date.parse("2026-03-01T00:00:00.000Z");
    const authors = Array.from({ length: 30 }, (_, i) => `author-${String(i).padStart(2, "0")}`);
    for (const round of [0, 1, 2]) {
      authors.forEach((authorId, i) => world.publish(authorId, ulid(base + (round * 30 + i) * 60_000)));
    }
    world.followed = authors;
    const fetchesPerPage: number[] = [];
    const fetchesWithoutHints: number[] = [];
    let cursor: FeedCursor | null = null;
    for (let page = 0; page < 4; page++) {
      world.fetches = 0;
      const result: Awaited<ReturnType<typeof mergeFeedPage<WorldPost>>> = await mergeFeedPage(world.authors(), cursor, 10, world.fetch);
      fetchesPerPage.push(world.fetches);
      if (cursor) {
        // The same page from a cursor that remembered nothing but its position.
        world.fetches = 0;
        const bare = await mergeFeedPage(world.authors(), { at: cursor.at, hints: new Map() }, 10, world.fetch);
        expect(bare.posts).toEqual(result.posts);
        fetchesWithoutHints.push(world.fetches);
      }
      expect(result.posts).toHaveLength(10);
      cursor = roundTrip(result.next!);
    }
    // Each page of 10 takes its 10 posts from 10 authors and reads the 11th: 11 runs, page after page.
    expect(fetchesPerPage).toEqual([11, 11, 11, 11]);
    // Without the hints every author passed before is read again from the cursor down.
    expect(fetchesWithoutHints).toEqual([21, 30, 30]);
  });

  it("hints survive their encoding, and a malformed one is refused", () => {
    const at = { ulid: ulid(Date.parse("2026-03-01T00:00:00.000Z")), authorId: "a" };
    const hints = new Map<string, number | null>([
      [authorFingerprint("x"), ulidTime(at.ulid) - 5],
      [authorFingerprint("y"), null],
      [authorFingerprint("z"), ulidTime(at.ulid) - 400 * 24 * 3600 * 1000],
      [authorFingerprint("w"), 0],
    ]);
    expect(decodeHints(at, encodeHints(at, hints))).toEqual(hints);
    expect(decodeHints(at, "")).toEqual(new Map());
    expect(decodeHints(at, "AAAA")).toBeNull(); // too short for an entry
    expect(decodeHints(at, encodeHints(at, hints) + "A")).toBeNull(); // not canonical base64url
    expect(decodeHints(at, Buffer.from([1, 2, 3, 4, 5, 6, 255, 255, 255, 255, 255, 255, 255, 1]).toString("base64url"))).toBeNull();
  });
});
