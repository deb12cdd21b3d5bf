// The follow reads (a follow's status, the follow lists), apart from the follow writes (./follows.ts): a read's
// function does not carry the writes' stores (the second-chance store, for a dormant relation's unfollow), which a
// lazily loaded restore shares and which would otherwise load at its init.
import * as z from "zod/mini";
import { getProfileNames } from "../db/account-batch-reader";
import { accountExists } from "../db/account-store";
import { getFollow, listFollowers, listFollowing, type RelationPage } from "../db/follow-read-store";
import type { Identity } from "../domain/account";
import type { FollowListEntry, FollowRelation } from "../domain/follow";
import { notFound } from "../errors";
import { decodeCursor, encodeCursor } from "../pagination";
import type { ListQuery } from "../schemas/common";

const userNotFound = () => notFound("The user");

/** GET /users/{userId}/follow: does the caller follow that user (a caller without a profile follows no one). */
export async function followStatus(identity: Identity, userId: string): Promise<{ following: boolean }> {
  if (await getFollow(identity.userId, userId)) return { following: true };
  if (!(await accountExists(userId))) throw userNotFound();
  return { following: false };
}

export interface FollowListPage {
  items: FollowListEntry[];
  nextCursor: string | null;
}

const positionSchema = z.strictObject({ followId: z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/)) });

type PageReader = (userId: string, limit: number, after?: string) => Promise<RelationPage>;

/**
 * A page of a follow list, newest first: the user's existence and the page's rows are read in parallel, then the
 * other accounts' current handles and display names with one BatchGetItem (names are never copied into rows).
 * A row whose account is being deleted right now is left out.
 */
async function followListPage(
  list: "followers" | "following",
  userId: string,
  query: ListQuery,
  readPage: PageReader,
  otherOf: (relation: FollowRelation) => string,
): Promise<FollowListPage> {
  const scope = `${list}:${userId}`;
  const after = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor, positionSchema).followId;
  const [exists, page] = await Promise.all([accountExists(userId), readPage(userId, query.limit, after)]);
  if (!exists) throw userNotFound();
  const names = await getProfileNames(page.relations.map(otherOf));
  const items = page.relations.flatMap((relation) => {
    const name = names.get(otherOf(relation));
    return name ? [{ ...name, followedAt: relation.followedAt }] : [];
  });
  return { items, nextCursor: page.next === null ? null : encodeCursor(scope, { followId: page.next }) };
}

/** GET /users/{userId}/followers */
export function followersOf(userId: string, query: ListQuery): Promise<FollowListPage> {
  return followListPage("followers", userId, query, listFollowers, (relation) => relation.followerId);
}

/** GET /users/{userId}/following */
export function followingOf(userId: string, query: ListQuery): Promise<FollowListPage> {
  return followListPage("following", userId, query, listFollowing, (relation) => relation.followeeId);
}
