import * as z from "zod/mini";
import { getFeedAuthors } from "../db/account-store";
import { getFolloweeIds } from "../db/follow-store";
import { getPostsOfAuthorBelow } from "../db/post-store";
import type { Caller, Identity } from "../domain/account";
import { decodeHints, encodeHints, mergeFeedPage, type FeedCursor } from "../domain/feed";
import type { PostView } from "../domain/posts";
import { invalidCursor } from "../errors";
import { decodeCursor, encodeCursor } from "../pagination";
import type { ListQuery } from "../schemas/common";
import { viewPost } from "./posts";

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The cursor's position: the last post returned (its ULID and author), and the hints about authors passed. */
const feedCursorSchema = z.strictObject({
  at: z.string().check(z.regex(ULID)),
  by: z.string().check(z.minLength(1), z.maxLength(128)),
  hints: z.optional(z.string().check(z.maxLength(3000), z.regex(/^[A-Za-z0-9_-]*$/))),
});

function readCursor(scope: string, cursor: string): FeedCursor {
  const position = decodeCursor(scope, cursor, feedCursorSchema);
  const at = { ulid: position.at, authorId: position.by };
  const hints = decodeHints(at, position.hints ?? "");
  if (!hints) throw invalidCursor();
  return { at, hints };
}

function writeCursor(scope: string, cursor: FeedCursor): string {
  const hints = encodeHints(cursor.at, cursor.hints);
  return encodeCursor(scope, { at: cursor.at.ulid, by: cursor.at.authorId, ...(hints ? { hints } : {}) });
}

/**
 * GET /feed: the posts of the accounts the caller follows, newest first, each locked or not for the caller as
 * GET /posts/{postId} decides. Reads, all strongly consistent on the base table: the caller's following list,
 * the followed authors' newest-post bounds (BatchGetItem), then only the authors' post runs that can make the
 * page (docs/data-model.md, "The feed"). A caller without a profile follows no one: an empty page.
 */
export async function readFeed(
  identity: Identity,
  caller: Caller,
  query: ListQuery,
  now = new Date(),
): Promise<{ items: PostView[]; nextCursor: string | null }> {
  const scope = `feed:${identity.userId}`;
  const cursor = query.cursor === undefined ? null : readCursor(scope, query.cursor);
  if (!caller.account) return { items: [], nextCursor: null };
  const authors = await getFeedAuthors(await getFolloweeIds(caller.account.userId));
  const page = await mergeFeedPage(authors, cursor, query.limit, getPostsOfAuthorBelow);
  return {
    items: page.posts.map(({ post }) => viewPost(post, caller, now)),
    nextCursor: page.next ? writeCursor(scope, page.next) : null,
  };
}
