// A post is two items (docs/data-model.md, "post"): its summary in its author's partition (`USER#<authorId>`,
// `POST#<postUlid>`: what lists show, with `commentCount`) and its body in the post's own partition
// (`POST#<postUlid>`, `BODY#<access>`). The summary's key gives the author and the ULID, so the item does not
// repeat them. A post stored before 1.1 holds its body (and `postId`, `authorId`) on its summary until
// `npm run migrate` moves it.
import type { PostAccess } from "../../domain/access";
import { encodePostId, shownTeaser, type PostRef, type PostSummary } from "../../domain/posts";
import { attributesOf, isEntity, oneOfValues, type RawItem } from "../attributes";
import { COUNT_VERSION } from "../count-version";
import { bodyAccessOf, entityTypes, keys, postRefOf, type ItemKey } from "../keys";

const accesses = ["free", "plus", "select"] as const satisfies readonly PostAccess[];

/** The summary: the post's fields but its ID and author (its key gives them). */
export interface PostSummaryItem extends ItemKey, Omit<PostSummary, "postId" | "authorId"> {
  entityType: typeof entityTypes.post;
  /** Moves whenever the body item changes (content or access); absent on a post stored before 1.1. */
  bodyRevision?: number;
  /** Set when a DELETE began: the post is gone for readers, its comments are being deleted. */
  deleting?: boolean;
  /** The body, on a post stored before 1.1 that `npm run migrate` has not moved yet. */
  body?: string;
  /** The count guard: every write of `commentCount` adds one (../count-version.ts); absent: 0. */
  countVersion?: number;
}

export interface PostBodyItem extends ItemKey {
  entityType: typeof entityTypes.postBody;
  /** The summary's `bodyRevision` this body belongs to. */
  revision: number;
  body: string;
}

/** A post's summary as stored, with what the store needs to keep its body in step. */
export interface StoredPostSummary {
  ref: PostRef;
  summary: PostSummary;
  /** Whether a DELETE began (the post is gone for readers). */
  deleting: boolean;
  /** The revision of the body item; null for a post stored before 1.1, whose body is `legacyBody`. */
  bodyRevision: number | null;
  legacyBody: string | null;
  /** The version of `commentCount` (absent: 0), which the comment count's recount conditions its write on. */
  countVersion: number;
}

/** A post's body as stored: under which access, at which revision. */
export interface StoredPostBody {
  access: PostAccess;
  revision: number;
  body: string;
}

/** The summary item of a post (no body). */
export function toPostSummaryItem(ref: PostRef, summary: PostSummary, bodyRevision: number): PostSummaryItem {
  return {
    ...keys.post(ref.authorId, ref.id),
    entityType: entityTypes.post,
    title: summary.title,
    teaser: summary.teaser,
    customTeaser: summary.customTeaser,
    access: summary.access,
    category: summary.category,
    tags: summary.tags,
    publishedAt: summary.publishedAt,
    updatedAt: summary.updatedAt,
    commentCount: summary.commentCount,
    bodyRevision,
  };
}

/** The post a stored item holds; null when the item is not a post summary. */
export function fromPostSummaryItem(item: RawItem | undefined): StoredPostSummary | null {
  if (!isEntity(item, entityTypes.post)) return null;
  const attributes = attributesOf(item, entityTypes.post);
  const ref = postRefOf(attributes.key());
  const access = attributes.oneOf("access", accesses);
  const customTeaser = attributes.boolean("customTeaser");
  return {
    ref,
    summary: {
      postId: encodePostId(ref),
      authorId: ref.authorId,
      title: attributes.string("title"),
      teaser: shownTeaser({ access, customTeaser, teaser: attributes.string("teaser") }),
      customTeaser,
      access,
      category: attributes.string("category"),
      tags: attributes.optionalStrings("tags") ?? [],
      publishedAt: attributes.string("publishedAt"),
      updatedAt: attributes.string("updatedAt"),
      commentCount: attributes.optionalNumber("commentCount") ?? 0,
    },
    deleting: attributes.optionalBoolean("deleting") === true,
    bodyRevision: attributes.optionalNumber("bodyRevision") ?? null,
    legacyBody: attributes.optionalString("body") ?? null,
    countVersion: attributes.optionalNumber(COUNT_VERSION) ?? 0,
  };
}

/** The body item of a post at one revision, stored under its access. */
export function toPostBodyItem(ref: PostRef, access: PostAccess, revision: number, body: string): PostBodyItem {
  return { ...keys.postBody(ref.id, access), entityType: entityTypes.postBody, revision, body };
}

/** A post's body as stored; null when the item is not a post body. */
export function fromPostBodyItem(item: RawItem | undefined): StoredPostBody | null {
  if (!isEntity(item, entityTypes.postBody)) return null;
  const attributes = attributesOf(item, entityTypes.postBody);
  return {
    access: oneOfValues(bodyAccessOf(attributes.key()), accesses, entityTypes.postBody, "sk"),
    revision: attributes.number("revision"),
    body: attributes.string("body"),
  };
}

/** Whether a summary (or a projection of it holding `entityType` and `deleting`) is a post that readers see. */
export function isLivePost(item: RawItem | undefined): boolean {
  return isEntity(item, entityTypes.post) && item.deleting !== true;
}

/** The attributes `isLivePost` reads: a read that needs only this may project the summary to them. */
export const postLivenessAttributes = ["entityType", "deleting"] as const;
