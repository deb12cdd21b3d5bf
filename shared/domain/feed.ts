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
  /** The ULID of the newest post the author ever published (an upper bound: it may be deleted); null: none recorded. */
  latestPostUlid: string | null;
  /** Posts that readers can see. */
  postCount: number;
  /** When the reader followed the author (epoch milliseconds). */
  followedAt: number;
}

/**
 * Where a listing stands: the last post it returned, and what it learned about the authors it has passed (those
 * whose newest post is `at` or newer), whose next post below `at` is not bounded by their newest post:
 * - `hints`, by author fingerprint: the millisecond at or before which that author's next post below `at` lies,
 *   or null when it has none left;
 * - `floors`, for the passed authors whose hints did not fit, by fingerprint bucket: the same, for all of them
 *   at once (the bucket's newest such post).
 * An author with neither is read from `at` down.
 */
export interface FeedCursor {
  at: FeedPosition;
  /** When the page that made the cursor read the following list and the authors (epoch milliseconds). */
  madeAt: number;
  hints: Map<string, number | null>;
  floors: Map<number, number | null>;
}

interface FetchedPost<P> {
  ulid: string;
  post: P;
}

/** A piece of one author's run, newest first; `next` continues it (below the last item read), null: the run is over. */
export interface FetchedRun<P> {
  posts: FetchedPost<P>[];
  next: PostBound | null;
}

/** Reads up to `limit` visible posts of one author below `below`, newest first. */
export type FetchPosts<P> = (authorId: string, below: PostBound, limit: number) => Promise<FetchedRun<P>>;

interface FeedPost<P> {
  position: FeedPosition;
  post: P;
}

export interface FeedPage<P> {
  posts: FeedPost<P>[];
  /** Where the next page starts; null when no post follows. */
  next: FeedCursor | null;
}

/** At most this many hints ride in a cursor (about 11 bytes each); the others go into the floors. */
export const MAX_CURSOR_HINTS = 100;
/** How many buckets the floors have (about 5 bytes each). */
export const FLOOR_BUCKETS = 128;
/**
 * A floor applies only to an author whose newest post and follow are this much older than the cursor: then
 * both were there when the cursor was made (a publish or follow commits within its function's few seconds,
 * and clocks agree far better than this), so the author was passed then and its bucket's floor covers it.
 */
const FLOOR_MARGIN_MS = 60_000;

/** A short, stable name for an author in a cursor: 48 bits of SHA-256 (a shared one is never trusted). */
export function authorFingerprint(authorId: string): string {
  return createHash("sha256").update(authorId).digest().subarray(0, 6).toString("base64url");
}

/** The floor bucket of an author fingerprint. */
function floorBucket(fingerprint: string): number {
  return Buffer.from(fingerprint, "base64url")[0]! % FLOOR_BUCKETS;
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

/**
 * What a cursor says about each author's next post below `at`: a millisecond, null for none, undefined for
 * nothing known. A hint counts only when its fingerprint names exactly one followed author, followed before the
 * cursor was made (so a later follow can never borrow another author's hint); a floor only under the
 * conditions of FLOOR_MARGIN_MS, for an author that has no hint in the cursor.
 */
function cursorBoundsFor(
  authors: readonly FeedAuthor[],
  fingerprints: ReadonlyMap<string, string>,
  cursor: FeedCursor | null,
): Map<string, number | null | undefined> {
  const known = new Map<string, number | null | undefined>();
  if (!cursor) return known;
  const holders = new Map<string, number>();
  for (const fingerprint of fingerprints.values()) holders.set(fingerprint, (holders.get(fingerprint) ?? 0) + 1);
  const settled = cursor.madeAt - FLOOR_MARGIN_MS;
  for (const author of authors) {
    const fingerprint = fingerprints.get(author.authorId)!;
    if (cursor.hints.has(fingerprint)) {
      if (holders.get(fingerprint) === 1 && author.followedAt <= cursor.madeAt) {
        known.set(author.authorId, cursor.hints.get(fingerprint));
      }
      continue;
    }
    const floor = cursor.floors.get(floorBucket(fingerprint));
    const latest = author.latestPostUlid;
    if (
      floor !== undefined &&
      latest !== null &&
      comparePositions({ ulid: latest, authorId: author.authorId }, cursor.at) >= 0 &&
      ulidTime(latest) <= settled &&
      author.followedAt <= settled
    ) {
      known.set(author.authorId, floor);
    }
  }
  return known;
}

function initialBound(
  author: FeedAuthor,
  cursor: FeedCursor | null,
  hint: number | null | undefined,
): PostBound | null {
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

/** At most how many more posts a run can give: the author's visible posts not read yet (at least one while open). */
function remaining(source: Source<unknown>): number {
  return Math.max(1, source.author.postCount - source.fetched.length);
}

function ranked<P>(sources: readonly Source<P>[]): FeedPost<P>[] {
  return sources
    .flatMap((source) =>
      source.fetched.map((fetched) => ({
        position: { ulid: fetched.ulid, authorId: source.authorId },
        post: fetched.post,
      })),
    )
    .sort((a, b) => comparePositions(b.position, a.position));
}

/**
 * One page of the feed: the `limit` newest posts of `authors` older than the cursor's position, and the next
 * cursor. A threshold merge: each author's run is bounded from above (its newest post, the cursor's position,
 * the cursor's hint); runs are read newest bound first, in parallel rounds, each only as far as the page could
 * still use, and only while its bound could beat the (limit+1)-th best post read so far. So a page reads about
 * `limit + 1` runs however many authors there are, in about log2(limit) rounds.
 */
export async function mergeFeedPage<P>(
  authors: readonly FeedAuthor[],
  cursor: FeedCursor | null,
  limit: number,
  fetch: FetchPosts<P>,
  options: { now?: number; maxHints?: number } = {},
): Promise<FeedPage<P>> {
  const now = options.now ?? Date.now();
  const wanted = limit + 1; // one more than the page: whether a next page exists
  const fingerprints = new Map(authors.map((author) => [author.authorId, authorFingerprint(author.authorId)]));
  const known = cursorBoundsFor(authors, fingerprints, cursor);
  const sources: Source<P>[] = authors.map((author) => {
    const bound = initialBound(author, cursor, known.get(author.authorId));
    return { authorId: author.authorId, author, bound, initial: bound, fetched: [], lastLimit: 0 };
  });

  // The runs still open. A run closed by the threshold never opens again (the threshold only rises and an
  // unread bound never moves), so the list shrinks round after round.
  let open = sources.filter((source) => source.bound);
  let rounds = 0;
  for (;;) {
    const best = ranked(sources).slice(0, wanted);
    const threshold = best.length === wanted ? best[wanted - 1]!.position : undefined;
    open = open
      .filter(
        (source) => source.bound && !(threshold && beatsEveryPostWithin(threshold, source.authorId, source.bound)),
      )
      .sort(compareBoundsDescending);
    if (open.length === 0) break;
    // How many posts of a run could still make the page: those not already beaten by `wanted` posts read.
    const stillNeeded = (source: Source<P>) =>
      wanted -
      best.filter((candidate) => beatsEveryPostWithin(candidate.position, source.authorId, source.bound!)).length;
    // A round reads, in parallel, every run the page must read whatever the others hold (fewer than `wanted`
    // posts could ever beat its bound: those read already, plus all that the runs above it may still give),
    // and at least the 2^n runs with the newest bounds in round n (but never more than the page still needs):
    // a little speculation, so that a page takes about log2(limit) rounds instead of one round per run, for at
    // most a round's worth of runs read in vain.
    const need = stillNeeded(open[0]!);
    const speculative = Math.min(2 ** rounds, need);
    let aboveMayGive = 0;
    const round: Source<P>[] = [];
    for (const source of open) {
      if (round.length >= speculative && aboveMayGive >= stillNeeded(source)) break;
      round.push(source);
      aboveMayGive += remaining(source);
    }
    rounds++;
    const share = Math.ceil(need / round.length) + 1;
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
  const learned = whatPassedAuthorsHold(sources, fingerprints, at, options.maxHints ?? MAX_CURSOR_HINTS);
  return { posts, next: { at, madeAt: now, ...learned } };
}

/**
 * What the next page needs to know: for every author passed so far (its newest post is `at` or newer), where
 * its next post below `at` lies, as precisely as this page learned it. Authors not passed are bounded by their
 * newest post and need nothing. The hints nearest to `at` are kept exactly (they decide the next pages); the
 * rest, and any whose fingerprint is shared, are folded into their bucket's floor.
 */
function whatPassedAuthorsHold<P>(
  sources: readonly Source<P>[],
  fingerprintOf: ReadonlyMap<string, string>,
  at: FeedPosition,
  maxHints: number,
): { hints: Map<string, number | null>; floors: Map<number, number | null> } {
  const atTime = ulidTime(at.ulid);
  const fingerprints = sources.map((source) => fingerprintOf.get(source.authorId)!);
  const holders = new Map<string, number>();
  for (const fingerprint of fingerprints) holders.set(fingerprint, (holders.get(fingerprint) ?? 0) + 1);
  const passed: { fingerprint: string; next: number | null }[] = [];
  sources.forEach((source, index) => {
    const { latestPostUlid, postCount } = source.author;
    const isPassed =
      latestPostUlid === null
        ? postCount > 0
        : comparePositions({ ulid: latestPostUlid, authorId: source.authorId }, at) >= 0;
    if (isPassed) passed.push({ fingerprint: fingerprints[index]!, next: nextBelow(source, at, atTime) });
  });
  const newestFirst = (a: { next: number | null }, b: { next: number | null }) =>
    a.next === b.next ? 0 : a.next === null ? 1 : b.next === null ? -1 : b.next - a.next;
  const unique = passed.filter((entry) => holders.get(entry.fingerprint) === 1).sort(newestFirst);
  const exact = unique.slice(0, maxHints);
  const folded = [...unique.slice(maxHints), ...passed.filter((entry) => holders.get(entry.fingerprint) !== 1)];
  const floors = new Map<number, number | null>();
  for (const { fingerprint, next } of folded) {
    const bucket = floorBucket(fingerprint);
    const floor = floors.get(bucket);
    if (floor === undefined || floor === null || (next !== null && next > floor)) floors.set(bucket, next);
  }
  return { hints: new Map(exact.map((entry) => [entry.fingerprint, entry.next])), floors };
}

/** The millisecond at or before which a passed author's next post below `at` lies; null: none left. */
function nextBelow<P>(source: Source<P>, at: FeedPosition, atTime: number): number | null {
  if (source.initial === null) return null; // nothing to read: no posts, or a run already known to be over
  if (source.lastLimit > 0) {
    const firstBelow = source.fetched.find(
      (fetched) => comparePositions({ ulid: fetched.ulid, authorId: source.authorId }, at) < 0,
    );
    if (firstBelow) return ulidTime(firstBelow.ulid);
    if (source.bound === null) return null;
  }
  // Not read on this page (its bound could not beat the page), or read but not past `at`: its bound holds.
  return source.bound === null ? null : Math.min(ulidTime(source.bound.ulid), atTime);
}

// Hints and floors travel in the cursor as bytes, each value an unsigned LEB128 varint: 0 when the run is
// over, else 1 + how many milliseconds before `at` the next post lies. Hints: per author its 6-byte
// fingerprint, then the value. Floors: one entry per bucket, 0 for none, else 1 + the value.

function writeVarint(bytes: number[], value: number): void {
  do {
    const low = value % 128;
    value = Math.floor(value / 128);
    bytes.push(value > 0 ? low + 128 : low);
  } while (value > 0);
}

class ByteReader {
  offset = 0;
  constructor(readonly bytes: Buffer) {}
  get done(): boolean {
    return this.offset >= this.bytes.length;
  }
  take(length: number): Buffer | null {
    if (this.offset + length > this.bytes.length) return null;
    this.offset += length;
    return this.bytes.subarray(this.offset - length, this.offset);
  }
  varint(): number | null {
    let value = 0;
    let scale = 1;
    for (let length = 0; length < 7; length++) {
      const byte = this.bytes[this.offset++];
      if (byte === undefined) return null;
      value += (byte % 128) * scale;
      scale *= 128;
      if (byte < 128) return value;
    }
    return null;
  }
}

const toValue = (atTime: number, time: number | null) => (time === null ? 0 : atTime - time + 1);
const fromValue = (atTime: number, value: number) => (value === 0 ? null : atTime - (value - 1));

function fromBase64url(text: string): Buffer | null {
  const bytes = Buffer.from(text, "base64url");
  return bytes.toString("base64url") === text ? bytes : null;
}

/** The hints as a compact base64url string. */
export function encodeHints(at: FeedPosition, hints: ReadonlyMap<string, number | null>): string {
  const atTime = ulidTime(at.ulid);
  const bytes: number[] = [];
  for (const [fingerprint, time] of hints) {
    bytes.push(...Buffer.from(fingerprint, "base64url"));
    writeVarint(bytes, toValue(atTime, time));
  }
  return Buffer.from(bytes).toString("base64url");
}

/** The hints `encodeHints` wrote, or null when the text is not such an encoding. */
export function decodeHints(at: FeedPosition, text: string): Map<string, number | null> | null {
  const atTime = ulidTime(at.ulid);
  const bytes = fromBase64url(text);
  if (!bytes) return null;
  const reader = new ByteReader(bytes);
  const hints = new Map<string, number | null>();
  while (!reader.done) {
    const fingerprint = reader.take(6);
    const value = reader.varint();
    if (!fingerprint || value === null || value > atTime + 1) return null;
    hints.set(fingerprint.toString("base64url"), fromValue(atTime, value));
  }
  return hints;
}

/** The floors as a compact base64url string (empty when there are none). */
export function encodeFloors(at: FeedPosition, floors: ReadonlyMap<number, number | null>): string {
  if (floors.size === 0) return "";
  const atTime = ulidTime(at.ulid);
  const bytes: number[] = [];
  for (let bucket = 0; bucket < FLOOR_BUCKETS; bucket++) {
    writeVarint(bytes, floors.has(bucket) ? toValue(atTime, floors.get(bucket)!) + 1 : 0);
  }
  return Buffer.from(bytes).toString("base64url");
}

/** The floors `encodeFloors` wrote, or null when the text is not such an encoding. */
export function decodeFloors(at: FeedPosition, text: string): Map<number, number | null> | null {
  const floors = new Map<number, number | null>();
  if (text === "") return floors;
  const atTime = ulidTime(at.ulid);
  const bytes = fromBase64url(text);
  if (!bytes) return null;
  const reader = new ByteReader(bytes);
  for (let bucket = 0; bucket < FLOOR_BUCKETS; bucket++) {
    const value = reader.varint();
    if (value === null || value > atTime + 2) return null;
    if (value > 0) floors.set(bucket, fromValue(atTime, value - 1));
  }
  return reader.done ? floors : null;
}
