import type { PostAccess } from "./access";

// Posts in the domain's words. Storage keys live in shared/db; what leaves the API is a PostView (a single post)
// or a PostSummaryView (lists).

/** Everything a post is but its body: what lists show, with the post's counters. */
export interface PostSummary {
  postId: string;
  authorId: string;
  title: string;
  teaser: string;
  /** True when the author wrote the teaser; false when it is derived (and follows the body and the access). */
  customTeaser: boolean;
  access: PostAccess;
  category: string;
  tags: string[];
  publishedAt: string;
  updatedAt: string;
  commentCount: number;
}

/** A whole post: its summary and its body. */
export interface Post extends PostSummary {
  body: string;
}

/** What a list shows of a post (the API's PostSummary): never its body; `locked` says whether the caller may read it. */
export interface PostSummaryView {
  postId: string;
  authorId: string;
  title: string;
  teaser: string;
  access: PostAccess;
  category: string;
  tags: string[];
  publishedAt: string;
  updatedAt: string;
  commentCount: number;
  locked: boolean;
}

/** What a caller sees of one post (the API's Post): the body exactly when the access rule lets the caller read it. */
export interface PostView extends PostSummaryView {
  body?: string;
}

export const DEFAULT_CATEGORY = "analysis";
const DEFAULT_TEASER_LENGTH = 280;

/** The first 280 code points of a body. */
export function defaultTeaser(body: string): string {
  return Array.from(body).slice(0, DEFAULT_TEASER_LENGTH).join("");
}

/**
 * The teaser of a post whose author wrote none: a free post shows the start of its body; a plus or select post
 * shows nothing, so that a short paid post (a trade call) never shows itself whole (contract 1.1).
 */
export function derivedTeaser(access: PostAccess, body: string): string {
  return access === "free" ? defaultTeaser(body) : "";
}

/**
 * The teaser a stored post shows. Posts stored before contract 1.1 derived a teaser from the body whatever
 * their access; a paid post whose author wrote none shows an empty one, also before the migration rewrote it.
 */
export function shownTeaser(post: Pick<PostSummary, "access" | "customTeaser" | "teaser">): string {
  return !post.customTeaser && post.access !== "free" ? "" : post.teaser;
}

export function toPostSummaryView(post: PostSummary, bodyReadable: boolean): PostSummaryView {
  return {
    postId: post.postId,
    authorId: post.authorId,
    title: post.title,
    teaser: post.teaser,
    access: post.access,
    category: post.category,
    tags: post.tags,
    publishedAt: post.publishedAt,
    updatedAt: post.updatedAt,
    commentCount: post.commentCount,
    locked: !bodyReadable,
  };
}

export function toPostView(post: PostSummary & { body?: string }, bodyReadable: boolean): PostView {
  const summary = toPostSummaryView(post, bodyReadable);
  if (!bodyReadable) return summary;
  if (post.body === undefined) throw new Error("A readable post was read without its body");
  return { ...summary, body: post.body };
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
  if (!ULID.test(id) || text[26] !== "." || authorId.length === 0 || authorId.length > MAX_AUTHOR_ID_LENGTH)
    return null;
  const ref = { authorId, id };
  // Only the canonical spelling names a post, so one post never has two IDs.
  return encodePostId(ref) === postId ? ref : null;
}

/** Who may change or delete a post: its author and admins (the token's role decides, as everywhere). */
export function mayManagePost(manager: { userId: string; role: string } | null, post: { authorId: string }): boolean {
  return manager !== null && (manager.role === "admin" || manager.userId === post.authorId);
}
