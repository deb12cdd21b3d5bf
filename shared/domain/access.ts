import type { RequiredEntitlement } from "../errors";
import type { Caller } from "./account";
import { unexpiredEntitlements, type Entitlement } from "./entitlements";
import type { Role } from "./roles";

// THE access rule of the platform. Publishing (is the body locked?) and comments (may the caller read them,
// may the caller write one?) both ask this one function, so the two can never disagree.

export type PostAccess = "free" | "plus" | "select";

/** What the rule needs to know about a post. */
export interface AccessedPost {
  access: PostAccess;
  authorId: string;
}

/** What the rule needs to know about the caller: anonymous callers have no userId, no role, no entitlements. */
export interface Viewer {
  userId: string | null;
  role: Role | null;
  /** The stored set; expired ones are ignored here, at `now`. */
  entitlements: readonly Entitlement[];
}

export type Permission = { allowed: true } | { allowed: false; requiredEntitlements: RequiredEntitlement[] };

export interface PostPermissions {
  readBody: Permission;
  readComments: Permission;
  writeComment: Permission;
}

const allowed: Permission = { allowed: true };
const refused = (requiredEntitlements: RequiredEntitlement[]): Permission => ({ allowed: false, requiredEntitlements });

/** The entitlements that open a post of this access to readers (none needed for free posts). */
function readingEntitlements(post: AccessedPost): RequiredEntitlement[] {
  switch (post.access) {
    case "free":
      return [];
    case "plus":
      return [{ tier: "plus" }, { tier: "ultimate" }];
    case "select":
      return [{ tier: "select", authorId: post.authorId }, { tier: "ultimate" }];
  }
}

/**
 * The entitlements that let a caller comment. On a free post any subscription does; a `select` without
 * `authorId` in the answer means a Select of any author.
 */
function commentingEntitlements(post: AccessedPost): RequiredEntitlement[] {
  return post.access === "free"
    ? [{ tier: "plus" }, { tier: "ultimate" }, { tier: "select" }]
    : readingEntitlements(post);
}

function holdsOneOf(held: readonly Entitlement[], wanted: readonly RequiredEntitlement[]): boolean {
  return wanted.some((want) =>
    held.some(
      (entitlement) =>
        entitlement.tier === want.tier &&
        (want.authorId === undefined || (entitlement.tier === "select" && entitlement.authorId === want.authorId)),
    ),
  );
}

/**
 * Whether `viewer` may read the body of `post`, read its comments and write a comment, at `now`.
 * The post's author and admins always may; anonymous callers read free posts and never comment;
 * everyone else needs one of the unexpired entitlements that each refusal lists.
 */
export function decidePostAccess(post: AccessedPost, viewer: Viewer, now: Date): PostPermissions {
  if (viewer.role === "admin" || (viewer.userId !== null && viewer.userId === post.authorId)) {
    return { readBody: allowed, readComments: allowed, writeComment: allowed };
  }
  const held = unexpiredEntitlements(viewer.entitlements, now);
  const toRead = readingEntitlements(post);
  const readBody = toRead.length === 0 || holdsOneOf(held, toRead) ? allowed : refused(toRead);
  const toComment = commentingEntitlements(post);
  const writeComment = viewer.userId !== null && holdsOneOf(held, toComment) ? allowed : refused(toComment);
  return { readBody, readComments: readBody, writeComment };
}

export const POST_ACCESSES: readonly PostAccess[] = ["free", "plus", "select"];

/**
 * The accesses whose posts of `authorId` the viewer may read at `now`, known before the post is read (its ID
 * names its author): a read needs to fetch only the bodies stored under these.
 */
export function readableAccesses(viewer: Viewer, authorId: string, now: Date): PostAccess[] {
  return POST_ACCESSES.filter((access) => decidePostAccess({ access, authorId }, viewer, now).readBody.allowed);
}

/** The viewer a request's caller is: the token's identity and role, and the entitlements stored on the account. */
export function viewerOf(caller: Caller): Viewer {
  return {
    userId: caller.identity?.userId ?? null,
    role: caller.identity?.role ?? null,
    entitlements: caller.account?.entitlements ?? [],
  };
}
