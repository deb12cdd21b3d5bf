import type { PostView } from "../schemas/posts";
import type { PostAccess } from "./access";

// Posts in the domain's words. Storage keys live in shared/db; what leaves the API is a PostView.

export interface Post {
  postId: string;
  authorId: string;
  title: string;
  body: string;
  teaser: string;
  /** True when the author wrote the teaser; false when it is derived from the body (and follows it). */
  customTeaser: boolean;
  access: PostAccess;
  category: string;
  tags: string[];
  publishedAt: string;
  updatedAt: string;
  commentCount: number;
}

/** What a caller sees: the body only when the access rule lets the caller read it (shared/schemas/posts.ts). */
export type { PostView };

export const DEFAULT_CATEGORY = "analysis";
export const DEFAULT_TEASER_LENGTH = 280;

/** The teaser of a post whose author wrote none: the first 280 code points of the body. */
export function defaultTeaser(body: string): string {
  return Array.from(body).slice(0, DEFAULT_TEASER_LENGTH).join("");
}

export function toPostView(post: Post, bodyReadable: boolean): PostView {
  return {
    postId: post.postId,
    authorId: post.authorId,
    title: post.title,
    teaser: post.teaser,
    ...(bodyReadable ? { body: post.body } : {}),
    access: post.access,
    category: post.category,
    tags: post.tags,
    publishedAt: post.publishedAt,
    updatedAt: post.updatedAt,
    commentCount: post.commentCount,
    locked: !bodyReadable,
  };
}

/** A post's identity: its author and its ULID (creation-ordered). The public postId encodes both. */
export interface PostRef {
  authorId: string;
  id: string;
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const MAX_AUTHOR_ID_LENGTH = 128;

/** The opaque public ID of a post: base64url of `<ulid>.<authorId>`. */
export function encodePostId(ref: PostRef): string {
  return Buffer.from(`${ref.id}.${ref.authorId}`, "utf8").toString("base64url");
}

/** The post a public ID names, or null when it is not one this API made (a malformed ID is simply unknown). */
export function decodePostId(postId: string): PostRef | null {
  if (postId.length === 0 || postId.length > 256 || !/^[A-Za-z0-9_-]+$/.test(postId)) return null;
  const text = Buffer.from(postId, "base64url").toString("utf8");
  const id = text.slice(0, 26);
  const authorId = text.slice(27);
  if (!ULID.test(id) || text[26] !== "." || authorId.length === 0 || authorId.length > MAX_AUTHOR_ID_LENGTH) return null;
  const ref = { authorId, id };
  // Only the canonical spelling names a post, so one post never has two IDs.
  return encodePostId(ref) === postId ? ref : null;
}

/** Who may change or delete a post: its author and admins (the token's role decides, as everywhere). */
export function mayManagePost(manager: { userId: string; role: string } | null, post: { authorId: string }): boolean {
  return manager !== null && (manager.role === "admin" || manager.userId === post.authorId);
}
