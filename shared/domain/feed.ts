import { createHash } from "node:crypto";
import { MAX_ULID, maxUlidAt, ulidTime } from "../ids";

// The feed: the posts of the accounts a reader follows, newest first, merged at read time (no fan-out on
// write). Each followed author's posts are one descending run in its own partition; this module decides which
// runs to read, how far, and what the next page's cursor must remember. It does no I/O: `FetchPosts` reads a
// run. docs/data-model.md ("The feed") gives the design and its cost.

/** A post's place in the feed. Newest first by ULID, ties (different authors, same ULID) by author ID: a total order. */
export interface FeedPosition {
  ulid: string;
  authorId: string;
}

/** Positive when `a` comes before (is newer than) `b` in the feed. */
export function comparePositions(a: FeedPosition, b: FeedPosition): number {
  if (a.ulid !== b.ulid) return a.ulid > b.ulid ? 1 : -1;
  if (a.authorId !== b.authorId) return a.authorId > b.authorId ? 1 : -1;
  return 0;
}

/** An upper bound on the ULIDs of one author's posts still to read: at or below `ulid`, or strictly below it. */
export interface PostBound {
  ulid: string;
  inclusive: boolean;
}

/** What the feed knows of a followed author from its profile item alone. */
export interface FeedAuthor {
  authorId: string;
  /** The ULID of the newest post the author ever published (an upper bound: it may have been deleted); null for none recorded. */
  latestPostUlid: string | null;
  /** Posts that readers can see. */
  postCount: number;
}

/**
 * Where a listing stands: the last post it returned, and hints about authors it has passed (those whose newest
 * post is newer than `at`): for each, by fingerprint, the millisecond at or before which its next post below
 * `at` lies, or null when it has none. An author without a hint is read from `at` down.
 */
export interface FeedCursor {
  at: FeedPosition;
  hints: Map<string, number | null>;
}

export interface FetchedPost<P> {
  ulid: string;
  post: P;
}

/** A piece of one author's run, newest first; `next` continues it (strictly below the last item read), null: the run is over. */
export interface FetchedRun<P> {
  posts: FetchedPost<P>[];
  next: PostBound | null;
}

/** Reads up to `limit` visible posts of one author below `below`, newest first. */
export type FetchPosts<P> = (authorId: string, below: PostBound, limit: number) => Promise<FetchedRun<P>>;

export interface FeedPost<P> {
  position: FeedPosition;
  post: P;
}

export interface FeedPage<P> {
  posts: FeedPost<P>[];
  /** Where the next page starts; null when no post follows. */
  next: FeedCursor | null;
}

/** At most this many hints ride in a cursor (about 11 bytes each): the ones that save the most reads. */
export const MAX_CURSOR_HINTS = 128;

/** A short, stable name for an author inside a cursor (48 bits of SHA-256; collisions are detected, see `hintsFor`). */
export function authorFingerprint(authorId: string): string {
  return createHash("sha256").update(authorId).digest().subarray(0, 6).toString("base64url");
}

function lower(a: PostBound | undefined, b: PostBound): PostBound {
  if (!a || b.ulid < a.ulid) return b;
  if (a.ulid < b.ulid) return a;
  return { ulid: a.ulid, inclusive: a.inclusive && b.inclusive };
}

/** The bound `at` puts on one author's posts: strictly older than `at` in the feed's order. */
function belowPosition(at: FeedPosition, authorId: string): PostBound {
  return { ulid: at.ulid, inclusive: authorId < at.authorId };
}

/** True when `candidate` comes before every post of `authorId` within `bound`. */
function beatsEveryPostWithin(candidate: FeedPosition, authorId: string, bound: PostBound): boolean {
  return bound.inclusive
    ? comparePositions(candidate, { ulid: bound.ulid, authorId }) > 0
    : candidate.ulid >= bound.ulid;
}

/** Newest possible post first. */
function compareBoundsDescending(a: Source<unknown>, b: Source<unknown>): number {
  const x = a.bound!;
  const y = b.bound!;
  if (x.ulid !== y.ulid) return x.ulid > y.ulid ? -1 : 1;
  if (x.inclusive !== y.inclusive) return x.inclusive ? -1 : 1;
  return a.authorId > b.authorId ? -1 : a.authorId < b.authorId ? 1 : 0;
}

interface Source<P> {
  authorId: string;
  author: FeedAuthor;
  /** Where the author's run continues; null: nothing more to read for this page. */
  bound: PostBound | null;
  /** What the bound was before this page read anything; null: the author had nothing to read. */
  initial: PostBound | null;
  fetched: FetchedPost<P>[];
  /** The Limit of the last read, 0 before the first. */
  lastLimit: number;
}

/** The hint each author gets from a cursor: undefined for none, also when its fingerprint is not unique among the authors. */
function hintsFor(authors: readonly FeedAuthor[], cursor: FeedCursor | null): Map<string, number | null | undefined> {
  const byFingerprint = new Map<string, string[]>();
  for (const author of authors) {
    const fingerprint = authorFingerprint(author.authorId);
    byFingerprint.set(fingerprint, [...(byFingerprint.get(fingerprint) ?? []), author.authorId]);
  }
  const hints = new Map<string, number | null | undefined>();
  for (const [fingerprint, ids] of byFingerprint) {
    if (ids.length === 1) hints.set(ids[0]!, cursor?.hints.get(fingerprint));
  }
  return hints;
}

function initialBound(author: FeedAuthor, cursor: FeedCursor | null, hint: number | null | undefined): PostBound | null {
  if (author.postCount <= 0 || hint === null) return null;
  let bound: PostBound | undefined =
    author.latestPostUlid === null ? undefined : { ulid: author.latestPostUlid, inclusive: true };
  if (cursor) {
    bound = lower(bound, belowPosition(cursor.at, author.authorId));
    if (hint !== undefined) bound = lower(bound, { ulid: maxUlidAt(hint), inclusive: true });
  }
  // No recorded bound (an account that published before the bound existed): from the newest post there can be.
  return bound ?? { ulid: MAX_ULID, inclusive: true };
}

/** At most how many more posts a run can give: the author's visible posts not read yet (at least one while it is open). */
function remaining(source: Source<unknown>): number {
  return Math.max(1, source.author.postCount - source.fetched.length);
}

function ranked<P>(sources: readonly Source<P>[]): FeedPost<P>[] {
  return sources
    .flatMap((source) =>
      source.fetched.map((fetched) => ({ position: { ulid: fetched.ulid, authorId: source.authorId }, post: fetched.post })),
    )
    .sort((a, b) => comparePositions(b.position, a.position));
}

/**
 * One page of the feed: the `limit` newest posts of `authors` older than the cursor's position, and the next
 * cursor. A threshold merge: each author's run is bounded from above (its newest post, the cursor's position,
 * the cursor's hint); runs are read newest bound first, in parallel rounds of the runs the page certainly needs,
 * each only as far as the page could still use, and only while its bound could beat the (limit+1)-th best post
 * read so far. So an author's run is read only when the page needs it, and a page reads at most about
 * `limit + 1` runs however many authors there are.
 */
export async function mergeFeedPage<P>(
  authors: readonly FeedAuthor[],
  cursor: FeedCursor | null,
  limit: number,
  fetch: FetchPosts<P>,
): Promise<FeedPage<P>> {
  const wanted = limit + 1; // one more than the page: whether a next page exists
  const hints = hintsFor(authors, cursor);
  const sources: Source<P>[] = authors.map((author) => {
    const bound = initialBound(author, cursor, hints.get(author.authorId));
    return { authorId: author.authorId, author, bound, initial: bound, fetched: [], lastLimit: 0 };
  });

  for (;;) {
    const best = ranked(sources).slice(0, wanted);
    const threshold = best.length === wanted ? best[wanted - 1]!.position : undefined;
    const open = sources
      .filter((source) => source.bound && !(threshold && beatsEveryPostWithin(threshold, source.authorId, source.bound)))
      .sort(compareBoundsDescending);
    if (open.length === 0) break;
    // How many posts of a run could still make the page: those not already beaten by `wanted` posts read.
    const stillNeeded = (source: Source<P>) =>
      wanted - best.filter((candidate) => beatsEveryPostWithin(candidate.position, source.authorId, source.bound!)).length;
    // A run is read in this round only when the page must read it whatever the others hold: fewer than `wanted`
    // posts could ever beat its bound (those read already, plus all that the runs above it may still give).
    // The first open run always qualifies; the others join it in parallel. So no read is ever wasted on a run
    // that the page turns out not to need.
    let aboveMayGive = 0;
    const round: Source<P>[] = [];
    for (const source of open) {
      if (round.length > 0 && aboveMayGive >= stillNeeded(source)) break;
      round.push(source);
      aboveMayGive += remaining(source);
    }
    const share = Math.ceil(stillNeeded(open[0]!) / round.length) + 1;
    await Promise.all(
      round.map(async (source) => {
        // A first read takes an equal share of what the page still needs (plus one, to learn where the run goes
        // on); a run that turns out to hold more doubles its next read. Never more than the page could still
        // take from it, or than the author has, plus one.
        const chunk = source.lastLimit === 0 ? share : source.lastLimit * 2;
        const readLimit = Math.min(stillNeeded(source) + 1, remaining(source) + 1, chunk);
        const run = await fetch(source.authorId, source.bound!, readLimit);
        source.fetched.push(...run.posts);
        source.bound = run.next;
        source.lastLimit = readLimit;
      }),
    );
  }

  const all = ranked(sources);
  const posts = all.slice(0, limit);
  if (all.length <= limit) return { posts, next: null };
  const at = posts[limit - 1]!.position;
  return { posts, next: { at, hints: nextHints(sources, at) } };
}

/**
 * The hints the next page needs: one for every author passed so far (its newest post is `at` or newer), as
 * precise as this page learned it. Authors not passed are bounded by their newest post and need none.
 */
function nextHints<P>(sources: readonly Source<P>[], at: FeedPosition): Map<string, number | null> {
  const atTime = ulidTime(at.ulid);
  const hints: [string, number | null][] = [];
  const seen = new Map<string, number>();
  for (const source of sources) {
    const fingerprint = authorFingerprint(source.authorId);
    seen.set(fingerprint, (seen.get(fingerprint) ?? 0) + 1);
    const { latestPostUlid, postCount } = source.author;
    const passed =
      latestPostUlid === null
        ? postCount > 0
        : comparePositions({ ulid: latestPostUlid, authorId: source.authorId }, at) >= 0;
    if (!passed) continue;
    const hint = hintOf(source, at, atTime);
    if (hint !== undefined) hints.push([fingerprint, hint]);
  }
  // Most useful first: runs known to be over, then runs whose next post is oldest (their reads are the most
  // likely to be saved). A hint dropped here costs at most one read on the next page.
  return new Map(
    hints
      .filter(([fingerprint]) => seen.get(fingerprint) === 1)
      .sort(([, a], [, b]) => (a === null ? -1 : b === null ? 1 : a - b))
      .slice(0, MAX_CURSOR_HINTS),
  );
}

function hintOf<P>(source: Source<P>, at: FeedPosition, atTime: number): number | null | undefined {
  if (source.initial === null) return null; // nothing to read: no posts, or a run already known to be over
  if (source.lastLimit > 0) {
    const firstBelow = source.fetched.find(
      (fetched) => comparePositions({ ulid: fetched.ulid, authorId: source.authorId }, at) < 0,
    );
    if (firstBelow) return ulidTime(firstBelow.ulid);
    return source.bound === null ? null : undefined;
  }
  // Not read on this page: its bound could not beat the page, so it still holds below `at`.
  return source.bound === null ? null : Math.min(ulidTime(source.bound.ulid), atTime);
}

// The hints travel in the cursor as bytes: per author its 6-byte fingerprint, then an unsigned LEB128 varint:
// 0 when its run is over, else 1 + how many milliseconds before `at` its next post lies.

/** The hints as a compact base64url string. */
export function encodeHints(at: FeedPosition, hints: ReadonlyMap<string, number | null>): string {
  const atTime = ulidTime(at.ulid);
  const bytes: number[] = [];
  for (const [fingerprint, time] of hints) {
    bytes.push(...Buffer.from(fingerprint, "base64url"));
    let value = time === null ? 0 : atTime - time + 1;
    do {
      const low = value % 128;
      value = Math.floor(value / 128);
      bytes.push(value > 0 ? low + 128 : low);
    } while (value > 0);
  }
  return Buffer.from(bytes).toString("base64url");
}

/** The hints `encodeHints` wrote, or null when the text is not such an encoding. */
export function decodeHints(at: FeedPosition, text: string): Map<string, number | null> | null {
  const atTime = ulidTime(at.ulid);
  const bytes = Buffer.from(text, "base64url");
  if (bytes.toString("base64url") !== text) return null;
  const hints = new Map<string, number | null>();
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 7 > bytes.length) return null;
    const fingerprint = bytes.subarray(offset, offset + 6).toString("base64url");
    offset += 6;
    let value = 0;
    let scale = 1;
    for (let length = 0; ; length++) {
      if (offset >= bytes.length || length >= 7) return null;
      const byte = bytes[offset++]!;
      value += (byte % 128) * scale;
      scale *= 128;
      if (byte < 128) break;
    }
    if (value > atTime + 1) return null;
    hints.set(fingerprint, value === 0 ? null : atTime - (value - 1));
  }
  return hints;
}
