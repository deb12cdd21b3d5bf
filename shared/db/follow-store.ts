import { GetCommand, QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import type { FollowRelation } from "../domain/follow";
import {
  existingFollowerCountTargets,
  followerCountChange,
  followingCountChange,
  pickFollowerCountTarget,
  type FollowerCountTarget,
} from "./account-store";
import { documentClient, tableName } from "./client";
import { countItems } from "./count";
import {
  entityTypes,
  FOLLOWER_ENTRY_PREFIX,
  followersPartition,
  FOLLOWING_ENTRY_PREFIX,
  followingPartition,
  keys,
  type ItemKey,
} from "./keys";
import { TransactionCancelled, transactWriteOnce, withConflictRetry, type TransactItems } from "./transactions";

// A follow is three small items written in one transaction with both counts:
//   the relation      USER#<follower>       FOLLOWS#<followee>   found by its pair
//   a follower row    FOLLOWERS#<followee>  FOLLOWER#<followId>  the followee's follower list, by time
//   a following row   FOLLOWING#<follower>  FOLLOWING#<followId> the follower's following list, by time
// The follow ID is a ULID made at follow time, so each list is a Query in time order.

interface FollowItemFields {
  followerId: string;
  followeeId: string;
  followId: string;
  followedAt: string;
}

function toRelation(item: Record<string, unknown>): FollowRelation {
  const stored = item as unknown as FollowItemFields;
  return {
    followerId: stored.followerId,
    followeeId: stored.followeeId,
    followId: stored.followId,
    followedAt: stored.followedAt,
  };
}

/** The follow relation of a pair, or null (1 GetItem, consistent). */
export async function getFollow(followerId: string, followeeId: string): Promise<FollowRelation | null> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.follow(followerId, followeeId), ConsistentRead: true }),
  );
  return result.Item ? toRelation(result.Item) : null;
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
  write: (target: FollowerCountTarget) => Promise<FollowWriteOutcome | "counter_missing">,
): Promise<FollowWriteOutcome> {
  let pick = () => pickFollowerCountTarget(followeeId);
  for (let round = 0; round < 2; round++) {
    const outcome = await withConflictRetry(() => write(pick()));
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
export async function createFollow(followerId: string, followeeId: string, followId: string, followedAt: string) {
  const fields: FollowItemFields = { followerId, followeeId, followId, followedAt };
  return withFollowerCount(followeeId, async (target) => {
    const items: TransactItems = [
      {
        Put: {
          TableName: tableName,
          Item: { ...keys.follow(followerId, followeeId), entityType: entityTypes.follow, ...fields },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
      {
        Put: {
          TableName: tableName,
          Item: { ...keys.followerEntry(followeeId, followId), entityType: entityTypes.followerEntry, ...fields },
        },
      },
      {
        Put: {
          TableName: tableName,
          Item: { ...keys.followingEntry(followerId, followId), entityType: entityTypes.followingEntry, ...fields },
        },
      },
      followerCountChange(target, 1),
      followingCountChange(followerId, 1),
    ];
    try {
      await transactWriteOnce(items);
      return "done";
    } catch (error) {
      if (error instanceof TransactionCancelled) return outcomeOfCancellation(error);
      throw error;
    }
  });
}

/**
 * Unfollows in one TransactWriteItems that mirrors the follow: the relation (only while it is the one that was
 * read) and both list rows deleted, both counts -1. `unchanged`: the relation was gone or replaced meanwhile.
 * `alsoWrite` joins the same transaction (the cleanup counts the deleted relation on its pending deletion).
 */
export async function deleteFollow(relation: FollowRelation, alsoWrite: TransactItems = []): Promise<FollowWriteOutcome> {
  const { followerId, followeeId, followId } = relation;
  return withFollowerCount(followeeId, async (target) => {
    const items: TransactItems = [
      {
        Delete: {
          TableName: tableName,
          Key: keys.follow(followerId, followeeId),
          ConditionExpression: "followId = :followId",
          ExpressionAttributeValues: { ":followId": followId },
        },
      },
      { Delete: { TableName: tableName, Key: keys.followerEntry(followeeId, followId) } },
      { Delete: { TableName: tableName, Key: keys.followingEntry(followerId, followId) } },
      followerCountChange(target, -1),
      followingCountChange(followerId, -1),
      ...alsoWrite,
    ];
    try {
      await transactWriteOnce(items);
      return "done";
    } catch (error) {
      if (error instanceof TransactionCancelled) return outcomeOfCancellation(error);
      throw error;
    }
  });
}

export interface RelationPage {
  relations: FollowRelation[];
  /** The follow ID to continue after, when more relations follow. */
  next: string | null;
}

const listQuery = (partition: string, prefix: string): QueryCommandInput => ({
  TableName: tableName,
  KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
  ExpressionAttributeValues: { ":pk": partition, ":prefix": prefix },
  ConsistentRead: true,
});

async function relationPage(
  query: QueryCommandInput,
  startAfter: ItemKey | undefined,
  limit: number,
  newestFirst: boolean,
): Promise<RelationPage> {
  // One more than asked tells whether another page exists, so a list never ends on an empty page.
  const result = await documentClient.send(
    new QueryCommand({
      ...query,
      ScanIndexForward: !newestFirst,
      Limit: limit + 1,
      ...(startAfter ? { ExclusiveStartKey: { ...startAfter } } : {}),
    }),
  );
  const relations = (result.Items ?? []).map(toRelation);
  if (relations.length <= limit) return { relations, next: null };
  const page = relations.slice(0, limit);
  return { relations: page, next: page.at(-1)!.followId };
}

/** A page of an account's followers, newest first (1 Query, consistent). */
export function listFollowers(userId: string, limit: number, after?: string): Promise<RelationPage> {
  return relationPage(
    listQuery(followersPartition(userId), FOLLOWER_ENTRY_PREFIX),
    after === undefined ? undefined : keys.followerEntry(userId, after),
    limit,
    true,
  );
}

/** A page of the accounts one account follows, newest first (1 Query, consistent). */
export function listFollowing(userId: string, limit: number, after?: string): Promise<RelationPage> {
  return relationPage(
    listQuery(followingPartition(userId), FOLLOWING_ENTRY_PREFIX),
    after === undefined ? undefined : keys.followingEntry(userId, after),
    limit,
    true,
  );
}

/** Every follower relation of an account, in pages of up to 1 MB, oldest first: what a cleanup walks. */
export async function* allFollowers(userId: string): AsyncGenerator<FollowRelation[]> {
  yield* allRelations(listQuery(followersPartition(userId), FOLLOWER_ENTRY_PREFIX));
}

/** Every relation in which the account follows another, oldest first. */
export async function* allFollowing(userId: string): AsyncGenerator<FollowRelation[]> {
  yield* allRelations(listQuery(followingPartition(userId), FOLLOWING_ENTRY_PREFIX));
}

async function* allRelations(query: QueryCommandInput): AsyncGenerator<FollowRelation[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await documentClient.send(new QueryCommand({ ...query, ExclusiveStartKey: startKey }));
    yield (result.Items ?? []).map(toRelation);
    startKey = result.LastEvaluatedKey;
  } while (startKey);
}

/**
 * Every account one account follows, with when (getFollowees): strongly consistent Queries of its `FOLLOWING#`
 * partition, 1 MB each (about 3,800 rows; the projection trims what is sent, not what is read). What the feed
 * starts from.
 */
export async function getFollowees(userId: string): Promise<{ followeeId: string; followedAt: string }[]> {
  const followees = new Map<string, string>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await documentClient.send(
      new QueryCommand({
        ...listQuery(followingPartition(userId), FOLLOWING_ENTRY_PREFIX),
        ProjectionExpression: "followeeId, followedAt",
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of result.Items ?? []) followees.set(item.followeeId as string, item.followedAt as string);
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return [...followees].map(([followeeId, followedAt]) => ({ followeeId, followedAt }));
}

/**
 * How many followers the relations themselves give (Query with Select COUNT, consistent; one request per 1 MB
 * of rows, about 8,000 followers): what a recount compares with or stores as the follower count.
 */
export function countFollowers(userId: string): Promise<number> {
  return countItems(listQuery(followersPartition(userId), FOLLOWER_ENTRY_PREFIX));
}

/** How many accounts one account follows, from its following rows (Select COUNT, consistent). */
export function countFollowing(userId: string): Promise<number> {
  return countItems(listQuery(followingPartition(userId), FOLLOWING_ENTRY_PREFIX));
}

