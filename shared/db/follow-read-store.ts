import type { FollowRelation } from "../domain/follow";
import { followee, fromFollowItem, fromRelationItem, type RelationState } from "./entities/follow";
import { collections, keys, type ItemCollection } from "./keys";
import { countItems, queryAll, queryPage, queryPages } from "./query";
import { getItem } from "./requests";

// Follows' reads: a pair's relation, the lists, the counts the relations give (docs/data-model.md, F3-F7 and FD1). The writes
// are follow-store.ts, which imports what only they need (the outlook store, the second-chance entity).

/** The live follow relation of a pair, or null (1 GetItem, consistent); a dormant relation is no follow. */
export async function getFollow(followerId: string, followeeId: string): Promise<FollowRelation | null> {
  const state = await getRelation(followerId, followeeId);
  return state && !state.dormantUnder ? state.relation : null;
}

/** The relation item of a pair as stored, dormant or not (1 GetItem, consistent), or null. */
export function getRelation(followerId: string, followeeId: string): Promise<RelationState | null> {
  return getItem(keys.follow(followerId, followeeId), fromRelationItem);
}

export interface RelationPage {
  relations: FollowRelation[];
  /** The follow ID to continue after, when more relations follow. */
  next: string | null;
}

async function relationPage(
  rows: ItemCollection,
  startAfter: { pk: string; sk: string } | undefined,
  limit: number,
): Promise<RelationPage> {
  // Newest first; one more than asked tells whether another page exists, so a list never ends on an empty page.
  const { items } = await queryPage(rows, fromFollowItem, { newestFirst: true, limit: limit + 1, startAfter });
  if (items.length <= limit) return { relations: items, next: null };
  const page = items.slice(0, limit);
  return { relations: page, next: page.at(-1)!.followId };
}

/** A page of an account's followers, newest first (1 Query, consistent). */
export function listFollowers(userId: string, limit: number, after?: string): Promise<RelationPage> {
  return relationPage(
    collections.followerRowsOf(userId),
    after === undefined ? undefined : keys.followerEntry(userId, after),
    limit,
  );
}

/** A page of the accounts one account follows, newest first (1 Query, consistent). */
export function listFollowing(userId: string, limit: number, after?: string): Promise<RelationPage> {
  return relationPage(
    collections.followingRowsOf(userId),
    after === undefined ? undefined : keys.followingEntry(userId, after),
    limit,
  );
}

/** Every follower relation of an account, in pages of up to 1 MB, oldest first: what a cleanup walks. */
export async function* allFollowers(userId: string): AsyncGenerator<FollowRelation[]> {
  for await (const page of queryPages(collections.followerRowsOf(userId), fromFollowItem)) yield page.items;
}

/** Every relation in which the account follows another, oldest first. */
export async function* allFollowing(userId: string): AsyncGenerator<FollowRelation[]> {
  for await (const page of queryPages(collections.followingRowsOf(userId), fromFollowItem)) yield page.items;
}

/**
 * Every account one account follows, with when (getFollowees): strongly consistent Queries of its `FOLLOWING#`
 * partition, 1 MB each (about 3,800 rows; the projection trims what is sent, not what is read). What the feed
 * starts from.
 */
export async function getFollowees(userId: string): Promise<{ followeeId: string; followedAt: string }[]> {
  const rows = await queryAll(collections.followingRowsOf(userId), followee.read, { projection: followee.projection });
  const followees = new Map(rows.map((row) => [row.followeeId, row.followedAt]));
  return [...followees].map(([followeeId, followedAt]) => ({ followeeId, followedAt }));
}

/**
 * How many followers the relations themselves give (Query with Select COUNT, consistent; one request per 1 MB
 * of rows, about 8,000 followers): what a recount compares with or stores as the follower count.
 */
export function countFollowers(userId: string): Promise<number> {
  return countItems(collections.followerRowsOf(userId));
}

/** How many accounts one account follows, from its following rows (Select COUNT, consistent). */
export function countFollowing(userId: string): Promise<number> {
  return countItems(collections.followingRowsOf(userId));
}
