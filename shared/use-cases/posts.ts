import { CommentDeletionInterrupted, deleteCommentsOfPost } from "../db/comment-store";
import {
  AuthorAccountMissing,
  createPost,
  deleteMarkedPost,
  getPostSummary,
  getPostToRead,
  markPostDeleting,
  PostChangedConcurrently,
  updatePost,
  type PostFields,
  type StoredPostSummary,
} from "../db/post-store";
import { getPostsOfAuthor } from "../db/post-list-store";
import { decidePostAccess, POST_ACCESSES, readableAccesses, viewerOf, type Permission } from "../domain/access";
import type { Caller } from "../domain/account";
import {
  decodePostId,
  derivedTeaser,
  encodePostId,
  mayManagePost,
  toPostSummaryView,
  toPostView,
  type Post,
  type PostRef,
  type PostSummary,
  type PostSummaryView,
  type PostView,
} from "../domain/posts";
import { remainingMs } from "../deadline";
import { forbidden, notFound, profileRequired, subscriptionRequired, unavailable } from "../errors";
import { ulid } from "../ids";
import { cursorAfterUlid, ulidAfter } from "../pagination";
import type { ListQuery } from "../schemas/common";
import type { PostInput, PostPatch } from "../schemas/posts";
import { requireProfile } from "./caller";
import { writeIdempotently, type IdempotentAnswer } from "./idempotency";

const PUBLISH_ROUTE = "POST /posts";

/** How often a write that lost a race with another change of the same post reads it again. */
const CHANGE_ROUNDS = 5;

const postNotFound = () => notFound("The post");

const mayReadBody = (post: PostSummary, caller: Caller, now: Date): boolean =>
  decidePostAccess(post, viewerOf(caller), now).readBody.allowed;

/** The post as `caller` may see it at `now`: locked (no body) unless the access rule lets the caller read it. */
function viewPost(post: Post, caller: Caller, now: Date): PostView {
  return toPostView(post, mayReadBody(post, caller, now));
}

/** A post in a list, as `caller` may see it at `now`: never its body, `locked` as for the post itself. */
export function viewPostSummary(post: PostSummary, caller: Caller, now: Date): PostSummaryView {
  return toPostSummaryView(post, mayReadBody(post, caller, now));
}

/**
 * POST /posts: publishes a post and adds it to its author's `postCount` in one transaction (with the
 * idempotency record, when a key was sent). Answers 201 and the post, or the stored answer of an earlier try.
 */
export async function publishPost(
  caller: Caller,
  input: PostInput,
  idempotencyKey: string | undefined,
  now = new Date(),
): Promise<IdempotentAnswer> {
  const account = requireProfile(caller);
  const ref: PostRef = { authorId: account.userId, id: ulid(now.getTime()) };
  const at = now.toISOString();
  const post: Post = {
    postId: encodePostId(ref),
    authorId: ref.authorId,
    title: input.title,
    body: input.body,
    teaser: input.teaser ?? derivedTeaser(input.access, input.body),
    customTeaser: input.teaser !== undefined,
    access: input.access,
    category: input.category,
    tags: input.tags,
    publishedAt: at,
    updatedAt: at,
    commentCount: 0,
  };
  try {
    return await writeIdempotently(
      { userId: account.userId, route: PUBLISH_ROUTE, key: idempotencyKey, input },
      { statusCode: 201, body: viewPost(post, caller, now) },
      (alsoWrite) => createPost(ref, post, alsoWrite),
      now,
    );
  } catch (error) {
    // The account was deleted after this request loaded it.
    if (error instanceof AuthorAccountMissing) throw profileRequired();
    throw error;
  }
}

/**
 * The post a public ID names, as readers know it, without its body (1 GetItem of its summary): 404 for a
 * malformed ID, an unknown post or one being deleted. The comments routes start from here.
 */
export async function findLivePost(postId: string): Promise<{ ref: PostRef; post: PostSummary }> {
  const ref = decodePostId(postId);
  const stored = ref ? await getPostSummary(ref) : null;
  if (!ref || !stored || stored.deleting) throw postNotFound();
  return { ref, post: stored.summary };
}

/** 403 `subscription_required`, listing what would allow it, unless the access rule permits. */
export function requirePermission(permission: Permission): void {
  if (!permission.allowed) throw subscriptionRequired(permission.requiredEntitlements);
}

/**
 * GET /posts/{postId}: 1 BatchGetItem of the post's summary and of its body under each access the caller may
 * read (plus the caller's own read, made by the middleware): a locked post's body is never read.
 */
export async function readPost(caller: Caller, postId: string, now = new Date()): Promise<PostView> {
  const ref = decodePostId(postId);
  if (!ref) throw postNotFound();
  const read = await getPostToRead(ref, readableAccesses(viewerOf(caller), ref.authorId, now));
  if (!read || read.stored.deleting) throw postNotFound();
  return toPostView({ ...read.stored.summary, ...(read.body === null ? {} : { body: read.body }) }, read.body !== null);
}

/** The contract's checks of a write, in its order once the post is known: 404, profile_required, ownership. */
function requireManager(caller: Caller, stored: StoredPostSummary | null, resumingDeletion = false): StoredPostSummary {
  // A post being deleted is gone, except for a DELETE, which resumes the deletion.
  if (!stored || (stored.deleting && !resumingDeletion)) throw postNotFound();
  requireProfile(caller);
  if (!mayManagePost(caller.identity, stored.summary))
    throw forbidden("Only the post's author or an admin may do this.");
  return stored;
}

/**
 * PATCH /posts/{postId}: changes the fields sent (an empty patch changes nothing and answers the post as it
 * is). `updatedAt` moves, `publishedAt` never does; an access change applies to the next read. A teaser the
 * author never wrote follows the body and the access. The post is read with its body (1 BatchGetItem: the
 * answer carries it, and a body that moves to another access's key is rewritten from it), then changed only if
 * nothing changed it meanwhile (else read again).
 */
export async function changePost(
  caller: Caller,
  postId: string,
  patch: PostPatch,
  now = new Date(),
): Promise<PostView> {
  const ref = decodePostId(postId);
  if (!ref) throw postNotFound();
  for (let round = 0; round < CHANGE_ROUNDS; round++) {
    const read = await getPostToRead(ref, POST_ACCESSES);
    const stored = requireManager(caller, read?.stored ?? null);
    const body = read?.body;
    if (body === undefined || body === null) throw new Error("A live post was read without its body");
    if (Object.values(patch).every((value) => value === undefined))
      return viewPost({ ...stored.summary, body }, caller, now);
    const { body: newBody = body, ...sent } = patch;
    const access = patch.access ?? stored.summary.access;
    const bodyChanges = patch.body !== undefined || access !== stored.summary.access;
    const fields: PostFields = { ...sent, updatedAt: now.toISOString() };
    if (patch.teaser !== undefined) fields.customTeaser = true;
    else if (!stored.summary.customTeaser && bodyChanges) fields.teaser = derivedTeaser(access, newBody);
    try {
      const updated = await updatePost(stored, { fields, ...(bodyChanges ? { body: newBody } : {}) });
      if (!updated) throw postNotFound();
      return viewPost({ ...updated.summary, body: bodyChanges ? newBody : (updated.legacyBody ?? body) }, caller, now);
    } catch (error) {
      if (error instanceof PostChangedConcurrently) continue;
      throw error;
    }
  }
  throw unavailable(1);
}

/**
 * DELETE /posts/{postId}: marks the post deleted and takes it off `postCount` (one transaction), deletes its
 * comments in bounded batches, then its body and its summary. A retried DELETE of a post whose deletion was
 * interrupted resumes it; a DELETE that loses a race with another one resumes too, and both answer 204.
 */
export async function removePost(caller: Caller, postId: string): Promise<void> {
  const ref = decodePostId(postId);
  const stored = requireManager(caller, ref ? await getPostSummary(ref) : null, true);
  // The request must answer within its function's timeout, whatever the comments and DynamoDB's pace: a round
  // begins only while the invocation's deadline leaves time for one; past that, what is deleted stays deleted, the
  // post stays marked, and 503 asks for the retry that resumes.
  const roundFits = () => remainingMs() >= POST_DELETION_ROUND_MS;
  try {
    await deletePostWithComments(stored, roundFits);
  } catch (error) {
    if (error instanceof CommentDeletionInterrupted) throw unavailable(1);
    throw error;
  }
}

/**
 * The time one round of a post's comments (100: a Query and eight BatchWriteItem calls) is given: DELETE
 * /posts/{postId} begins a round only while this much is left before the invocation's deadline
 * (shared/deadline.ts), then answers 503. With the route's 10 s and the 1 s margin, rounds begin in its first 5 s.
 */
const POST_DELETION_ROUND_MS = 4_000;

/**
 * Deletes a post and all its comments without ever leaving a comment that points to no post, nor a body
 * without its summary; safe to run again after a crash at any point. Also what the cleanup of an author's
 * account runs for each post.
 */
export async function deletePostWithComments(stored: StoredPostSummary, mayGoOn?: () => boolean): Promise<void> {
  let marked: StoredPostSummary | null = stored;
  for (let round = 0; marked && !marked.deleting; round++) {
    try {
      // Not marked here: another DELETE marked it first (or finished); read the access its mark froze.
      marked = (await markPostDeleting(marked)) ? marked : await getPostSummary(stored.ref);
      break;
    } catch (error) {
      if (!(error instanceof PostChangedConcurrently) || round + 1 >= CHANGE_ROUNDS) throw error;
      marked = await getPostSummary(stored.ref);
    }
  }
  await deleteCommentsOfPost(stored.ref, mayGoOn);
  if (marked) await deleteMarkedPost(marked);
}

/** GET /users/{userId}/posts: a page of the user's posts, newest first; one Query per page. */
export async function listPostsOfUser(
  caller: Caller,
  userId: string,
  query: ListQuery,
  now = new Date(),
): Promise<{ items: PostSummaryView[]; nextCursor: string | null }> {
  const scope = `posts:${userId}`;
  const after = ulidAfter(scope, query.cursor);
  const page = await getPostsOfAuthor(userId, { limit: query.limit, ...(after ? { after } : {}) });
  if (page.authorExists === false) throw notFound("The user");
  return {
    items: page.posts.map((post) => viewPostSummary(post, caller, now)),
    nextCursor: cursorAfterUlid(scope, page.nextAfter),
  };
}
