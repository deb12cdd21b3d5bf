import * as z from "zod/mini";
import { getPostBounds } from "../db/account-batch-reader";
import { getFollowees } from "../db/follow-read-store";
import { getPostsOfAuthorBelow } from "../db/post-list-store";
import type { Caller, Identity } from "../domain/account";
import {
  decodeFloors,
  decodeHints,
  encodeFloors,
  encodeHints,
  mergeFeedPage,
  type FeedAuthor,
  type FeedCursor,
} from "../domain/feed";
import type { PostSummaryView } from "../domain/posts";
import { invalidCursor } from "../errors";
import { decodeCursor, encodeCursor } from "../pagination";
import type { ListQuery } from "../schemas/common";
import { viewPostSummary } from "./posts";

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * The cursor: the last post returned (its ULID and author), when it was made, and what the page learned about
 * the authors it passed (docs/data-model.md, "The feed"). Signed and scoped to the reader, like every cursor.
 */
const feedCursorSchema = z.strictObject({
  at: z.string().check(z.regex(ULID)),
  by: z.string().check(z.minLength(1), z.maxLength(128)),
  t: z.number().check(z.int(), z.gte(0)),
  hints: z.optional(z.string().check(z.maxLength(1800), z.regex(/^[A-Za-z0-9_-]*$/))),
  floors: z.optional(z.string().check(z.maxLength(1100), z.regex(/^[A-Za-z0-9_-]*$/))),
});

export function readFeedCursor(scope: string, cursor: string): FeedCursor {
  const position = decodeCursor(scope, cursor, feedCursorSchema);
  const at = { ulid: position.at, authorId: position.by };
  const hints = decodeHints(at, position.hints ?? "");
  const floors = decodeFloors(at, position.floors ?? "");
  if (!hints || !floors) throw invalidCursor();
  return { at, madeAt: position.t, hints, floors };
}

export function writeFeedCursor(scope: string, cursor: FeedCursor): string {
  const hints = encodeHints(cursor.at, cursor.hints);
  const floors = encodeFloors(cursor.at, cursor.floors);
  return encodeCursor(scope, {
    at: cursor.at.ulid,
    by: cursor.at.authorId,
    t: cursor.madeAt,
    ...(hints ? { hints } : {}),
    ...(floors ? { floors } : {}),
  });
}

/** The followed authors that have an account, with what the feed needs of each. */
async function followedAuthors(readerId: string): Promise<FeedAuthor[]> {
  const followees = await getFollowees(readerId);
  const followedAt = new Map(followees.map((followee) => [followee.followeeId, Date.parse(followee.followedAt)]));
  const bounds = await getPostBounds(followees.map((followee) => followee.followeeId));
  return bounds.map((bound) => ({ ...bound, followedAt: followedAt.get(bound.authorId)! }));
}

/**
 * GET /feed: the posts of the accounts the caller follows, newest first, as summaries (never a body), each locked
 * or not for the caller as GET /posts/{postId} decides. Reads, all strongly consistent on the base table: the
 * caller's following list, the followed authors' newest-post bounds (BatchGetItem), then only the authors' post
 * runs that can make the page (docs/data-model.md, "The feed"). A caller without a profile follows no one.
 */
export async function readFeed(
  identity: Identity,
  caller: Caller,
  query: ListQuery,
  now = new Date(),
): Promise<{ items: PostSummaryView[]; nextCursor: string | null }> {
  const scope = `feed:${identity.userId}`;
  const cursor = query.cursor === undefined ? null : readFeedCursor(scope, query.cursor);
  if (!caller.account) return { items: [], nextCursor: null };
  const authors = await followedAuthors(caller.account.userId);
  const page = await mergeFeedPage(authors, cursor, query.limit, getPostsOfAuthorBelow, { now: now.getTime() });
  return {
    items: page.posts.map(({ post }) => viewPostSummary(post, caller, now)),
    nextCursor: page.next ? writeFeedCursor(scope, page.next) : null,
  };
}
