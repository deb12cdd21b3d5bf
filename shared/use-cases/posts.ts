import * as z from "zod/mini";
import { deleteCommentsOfPost } from "../db/comment-store";
import {
  AuthorAccountMissing,
  createPost,
  deleteMarkedPost,
  getPost,
  getPostsOfAuthor,
  markPostDeleting,
  PostChangedConcurrently,
  updatePost,
  type PostChange,
} from "../db/post-store";
import { decidePostAccess, viewerOf, type Permission } from "../domain/access";
import type { Caller } from "../domain/account";
import {
  decodePostId,
  defaultTeaser,
  encodePostId,
  mayManagePost,
  toPostView,
  type Post,
  type PostRef,
  type PostView,
} from "../domain/posts";
import { forbidden, notFound, profileRequired, subscriptionRequired, unavailable } from "../errors";
import { ulid } from "../ids";
import { decodeCursor, encodeCursor } from "../pagination";
import type { ListQuery } from "../schemas/common";
import type { PostInput, PostPatch } from "../schemas/posts";
import { requireProfile } from "./caller";
import { writeIdempotently, type IdempotentAnswer } from "./idempotency";

export const PUBLISH_ROUTE = "POST /posts";

const postNotFound = () => notFound("The post");

/** The post as `caller` may see it at `now`: locked (no body) unless the access rule lets the caller read it. */
export function viewPost(post: Post, caller: Caller, now: Date): PostView {
  return toPostView(post, decidePostAccess(post, viewerOf(caller), now).readBody.allowed);
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
    teaser: input.teaser ?? defaultTeaser(input.body),
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
 * The post a public ID names, as readers know it (1 GetItem): 404 for a malformed ID, an unknown post or one
 * being deleted. The comments routes start from here too.
 */
export async function findLivePost(postId: string): Promise<{ ref: PostRef; post: Post }> {
  const ref = decodePostId(postId);
  const stored = ref ? await getPost(ref) : null;
  if (!ref || !stored || stored.deleting) throw postNotFound();
  return { ref, post: stored.post };
}

/** 403 `subscription_required`, listing what would allow it, unless the access rule permits. */
export function requirePermission(permission: Permission): void {
  if (!permission.allowed) throw subscriptionRequired(permission.requiredEntitlements);
}

/** GET /posts/{postId}: 1 GetItem (plus the caller's own, made by the middleware). */
export async function readPost(caller: Caller, postId: string, now = new Date()): Promise<PostView> {
  const { post } = await findLivePost(postId);
  return viewPost(post, caller, now);
}

/** The post a write names, after the contract's checks in its order: 404, profile_required, ownership. */
async function postToManage(
  caller: Caller,
  postId: string,
  resumingDeletion = false,
): Promise<{ ref: PostRef; post: Post; deleting: boolean }> {
  const ref = decodePostId(postId);
  const stored = ref ? await getPost(ref) : null;
  // A post being deleted is gone, except for a DELETE, which resumes the deletion.
  if (!ref || !stored || (stored.deleting && !resumingDeletion)) throw postNotFound();
  requireProfile(caller);
  if (!mayManagePost(caller.identity, stored.post)) throw forbidden("Only the post's author or an admin may do this.");
  return { ref, post: stored.post, deleting: stored.deleting };
}

/**
 * PATCH /posts/{postId}: changes the fields sent (an empty patch changes nothing and answers the post as it
 * is). `updatedAt` moves, `publishedAt` never does; an access change applies to the next read. A teaser the
 * author never wrote follows the body.
 */
export async function changePost(caller: Caller, postId: string, patch: PostPatch, now = new Date()): Promise<PostView> {
  for (let round = 0; round < 5; round++) {
    const { ref, post } = await postToManage(caller, postId);
    if (Object.values(patch).every((value) => value === undefined)) return viewPost(post, caller, now);
    const change: PostChange = { ...patch, updatedAt: now.toISOString() };
    let expectCustomTeaser: boolean | undefined;
    if (patch.teaser !== undefined) {
      change.customTeaser = true;
    } else if (patch.body !== undefined && !post.customTeaser) {
      change.teaser = defaultTeaser(patch.body);
      expectCustomTeaser = false;
    }
    try {
      const updated = await updatePost(ref, change, expectCustomTeaser);
      if (!updated) throw postNotFound();
      return viewPost(updated.post, caller, now);
    } catch (error) {
      if (error instanceof PostChangedConcurrently) continue;
      throw error;
    }
  }
  throw unavailable(1);
}

/**
 * DELETE /posts/{postId}: marks the post deleted and takes it off `postCount` (one transaction), deletes its
 * comments in bounded batches, then the post. A retried DELETE of a post whose deletion was interrupted
 * resumes it; a DELETE that loses a race with another one resumes too, and both answer 204.
 */
export async function removePost(caller: Caller, postId: string): Promise<void> {
  const { ref, deleting } = await postToManage(caller, postId, true);
  await deletePostWithComments(ref, deleting);
}

/**
 * Deletes a post and all its comments without ever leaving a comment that points to no post; safe to run
 * again after a crash at any point. Also what the cleanup of an author's account runs for each post.
 */
export async function deletePostWithComments(ref: PostRef, alreadyMarked = false): Promise<void> {
  if (!alreadyMarked) await markPostDeleting(ref);
  await deleteCommentsOfPost(ref);
  await deleteMarkedPost(ref);
}

const postsCursorSchema = z.strictObject({ after: z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/)) });

/** GET /users/{userId}/posts: a page of the user's posts, newest first; one Query per page. */
export async function listPostsOfUser(
  caller: Caller,
  userId: string,
  query: ListQuery,
  now = new Date(),
): Promise<{ items: PostView[]; nextCursor: string | null }> {
  const scope = `posts:${userId}`;
  const after = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor, postsCursorSchema).after;
  const page = await getPostsOfAuthor(userId, { limit: query.limit, ...(after ? { after } : {}) });
  if (page.authorExists === false) throw notFound("The user");
  return {
    items: page.posts.map((post) => viewPost(post, caller, now)),
    nextCursor: page.nextAfter ? encodeCursor(scope, { after: page.nextAfter }) : null,
  };
}
