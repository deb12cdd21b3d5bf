import type { FollowRelation } from "../domain/follow";
import { followee, fromFollowItem, toFollowItems } from "./entities/follow";
import {
  existingFollowerCountTargets,
  followerCountChange,
  followingCountChange,
  pickFollowerCountTarget,
  type FollowerCountTarget,
} from "./follower-count-store";
import { collections, keys, type ItemCollection } from "./keys";
import { countItems, queryAll, queryPage, queryPages } from "./query";
import { getItem } from "./requests";
import { withRetry } from "./retry";
import { deleteOf, putOf, TransactionCancelled, transactWriteOnce, type TransactItems } from "./transactions";

// Follows: the relation and its two list rows (shared/db/entities/follow.ts), written in one transaction with both
// counts (follower-count-store.ts). docs/data-model.md, F1-F8 and FD1.

/** The follow relation of a pair, or null (1 GetItem, consistent). */
export function getFollow(followerId: string, followeeId: string): Promise<FollowRelation | null> {
  return getItem(keys.follow(followerId, followeeId), fromFollowItem);
}

export type FollowWriteOutcome = "done" | "unchanged" | "followee_missing" | "follower_missing";

// Positions of the items in both transactions, for reading cancellation reasons.
const RELATION = 0;
const FOLLOWER_COUNT = 3;
const FOLLOWING_COUNT = 4;

/**
 * Runs a follow or unfollow transaction against the followee's follower count, retrying conflicts and throttling
 * within the budget. Each try picks a counter item at random, so a try that met a concurrent follow on one shard
 * most likely goes to another. When the picked item is missing, the account is read once: absent means
 * `followee_missing`; present (with fewer shards than new accounts get, or none) means the write goes on with the
 * counter items it has.
 */
async function withFollowerCount(
  followeeId: string,
  items: (target: FollowerCountTarget) => TransactItems,
): Promise<FollowWriteOutcome> {
  let pick = () => pickFollowerCountTarget(followeeId);
  for (let round = 0; round < 2; round++) {
    const outcome = await withRetry(async () => {
      try {
        await transactWriteOnce(items(pick()));
        return "done" as const;
      } catch (error) {
        if (error instanceof TransactionCancelled) return outcomeOfCancellation(error);
        throw error;
      }
    });
    if (outcome !== "counter_missing") return outcome;
    const existing = await existingFollowerCountTargets(followeeId);
    if (!existing) return "followee_missing";
    pick = () => existing[Math.floor(Math.random() * existing.length)]!;
  }
  return "followee_missing";
}

function outcomeOfCancellation(error: TransactionCancelled): FollowWriteOutcome | "counter_missing" {
  if (error.failedAt(FOLLOWER_COUNT)) return "counter_missing";
  if (error.failedAt(FOLLOWING_COUNT)) return "follower_missing";
  if (error.failedAt(RELATION)) return "unchanged";
  throw error;
}

/**
 * Follows in one TransactWriteItems: the relation (only if absent) and both list rows, the followee's follower
 * count +1 and the follower's following count +1 (each only if its item exists). `unchanged`: already following.
 */
export function createFollow(relation: FollowRelation): Promise<FollowWriteOutcome> {
  const [follow, followerRow, followingRow] = toFollowItems(relation);
  return withFollowerCount(relation.followeeId, (target) => [
    putOf(follow, { ConditionExpression: "attribute_not_exists(pk)" }),
    putOf(followerRow),
    putOf(followingRow),
    followerCountChange(target, 1),
    followingCountChange(relation.followerId, 1),
  ]);
}

/**
 * Unfollows in one TransactWriteItems that mirrors the follow: the relation (only while it is the one that was
 * read) and both list rows deleted, both counts -1. `unchanged`: the relation was gone or replaced meanwhile.
 * `alsoWrite` joins the same transaction (the cleanup counts the deleted relation on its pending deletion).
 */
export function deleteFollow(relation: FollowRelation, alsoWrite: TransactItems = []): Promise<FollowWriteOutcome> {
  const { followerId, followeeId, followId } = relation;
  return withFollowerCount(followeeId, (target) => [
    deleteOf(keys.follow(followerId, followeeId), {
      ConditionExpression: "followId = :followId",
      ExpressionAttributeValues: { ":followId": followId },
    }),
    deleteOf(keys.followerEntry(followeeId, followId)),
    deleteOf(keys.followingEntry(followerId, followId)),
    followerCountChange(target, -1),
    followingCountChange(followerId, -1),
    ...alsoWrite,
  ]);
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
