import type { FetchedRun, PostBound } from "../domain/feed";
import type { PostSummary } from "../domain/posts";
import type { RawItem } from "./attributes";
import { fromPostSummaryItem, type StoredPostSummary } from "./entities/post";
import { entityTypes, keys, postRefOf, ranges } from "./keys";
import { queryUntil } from "./query";

// Lists of posts: an author's page (P7, P8) and a run of the feed (FD3). Both read post summaries only, newest
// first, skipping posts whose deletion began. docs/data-model.md, "post" and "The feed".

/** A summary readers see; null for anything else (a post being deleted, another entity of the range). */
const visiblePost = (item: RawItem): StoredPostSummary | null => {
  const stored = fromPostSummaryItem(item);
  return stored && !stored.deleting ? stored : null;
};

export interface PostsPage {
  /** Whether the author's account exists; known on the first page only (null on later ones). */
  authorExists: boolean | null;
  /** Up to `limit` posts, newest first; posts being deleted are left out. */
  posts: PostSummary[];
  /** The ULID of the last post returned, when more posts follow it. */
  nextAfter: string | null;
}

/**
 * A page of an author's posts, newest first (getPostsOfAuthor). The first page reads the profile with the
 * posts: the sort keys `POST#…` .. `PROFILE` descending start with the profile, so one strongly consistent
 * Query answers "does the author exist" and the page. It reads summaries only (bodies live elsewhere), unless
 * a post stored before 1.1 still holds its body. A Query reads at most 1 MB: when a page comes back short with
 * a LastEvaluatedKey (posts being deleted, or unmigrated long posts), the next Query continues from there.
 */
export async function getPostsOfAuthor(authorId: string, page: { limit: number; after?: string }): Promise<PostsPage> {
  const firstPage = page.after === undefined;
  let authorExists: boolean | null = firstPage ? false : null;
  const read = (item: RawItem) => {
    if (item.entityType === entityTypes.account) authorExists = true;
    return visiblePost(item);
  };
  // One post more than asked for tells whether another page follows; the first Query also reads the profile.
  const { items: posts } = await queryUntil(
    ranges.postsAndProfileOf(authorId),
    read,
    page.limit + 1,
    { newestFirst: true, ...(firstPage ? {} : { startAfter: keys.post(authorId, page.after!) }) },
    firstPage ? 1 : 0,
  );
  const returned = posts.slice(0, page.limit);
  const last = returned.at(-1);
  return {
    authorExists,
    posts: returned.map((stored) => stored.summary),
    nextAfter: posts.length > page.limit && last ? last.ref.id : null,
  };
}

/**
 * Up to `limit` visible posts of one author below a bound, newest first (getPostsOfAuthorBelow): a strongly
 * consistent Query of `USER#<authorId>`, sk BETWEEN `POST#` AND `POST#<bound>` descending (a strict bound starts
 * after that key), summaries only. Posts being deleted are skipped; when a Query stops short at its Limit or at
 * 1 MB with a LastEvaluatedKey, the next one continues there. `next` is where the run goes on, null when it is over.
 */
export async function getPostsOfAuthorBelow(
  authorId: string,
  below: PostBound,
  limit: number,
): Promise<FetchedRun<PostSummary>> {
  const { items, next } = await queryUntil(ranges.postsOfAuthorThrough(authorId, below.ulid), visiblePost, limit, {
    newestFirst: true,
    ...(below.inclusive ? {} : { startAfter: keys.post(authorId, below.ulid) }),
  });
  const goesOnAfter =
    next && typeof next.pk === "string" && typeof next.sk === "string"
      ? postRefOf({ pk: next.pk, sk: next.sk }).id
      : null;
  return {
    posts: items.map((stored) => ({ ulid: stored.ref.id, post: stored.summary })),
    next: goesOnAfter === null ? null : { ulid: goesOnAfter, inclusive: false },
  };
}
