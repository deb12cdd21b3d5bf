import { GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { config } from "../config";
import { mayBeDeletedForInactivity, type Account, type AccountRefresh } from "../domain/account";
import type { Entitlement } from "../domain/entitlements";
import type { FeedAuthor } from "../domain/feed";
import type { Role } from "../domain/roles";
import { batchGetItems } from "./batch";
import { documentClient, tableName } from "./client";
import { ACCOUNT_ITEMS_PREFIX, userPartition, entityTypes, inactivityPartition, keys, type ItemKey } from "./keys";
import { transactWrite, TransactionCancelled, withConflictRetry, type TransactItems } from "./transactions";

interface AccountItem extends Account {
  pk: string;
  sk: string;
  entityType: typeof entityTypes.account;
  inactivityPk?: string;
  inactivitySk?: string;
  /** How many follower-count shard items the account was created with (absent: none). */
  followerCountShards?: number;
  /** Set when the account's deletion began: from then on it is gone for the API (see account-deletion-store). */
  deletion?: DeletionMark;
}

/**
 * The mark of an account whose deletion began (by a cleanup run or by its owner). The profile and its shards
 * carry it; every read treats the account as absent, and no write may add to it any more.
 */
export interface DeletionMark {
  reason: "inactive" | "owner";
  runId: string | null;
  at: string;
}

/** Condition (for an UpdateItem) that the account item exists and its deletion has not begun. */
export const LIVE_ACCOUNT_CONDITION = "attribute_exists(pk) AND attribute_not_exists(deletion)";

interface FollowerCountShardItem extends ItemKey {
  entityType: typeof entityTypes.followerCountShard;
  userId: string;
  shard: number;
  count: number;
}

/**
 * The account from its profile item and its follower-count shards: `followerCount` is the profile's own count
 * plus every shard's, so it is exact whichever items the follows and unfollows went to.
 */
function toAccount(item: Record<string, unknown>, shards: readonly Record<string, unknown>[]): Account {
  const stored = item as unknown as AccountItem;
  const shardTotal = shards.reduce((sum, shard) => sum + (shard as unknown as FollowerCountShardItem).count, 0);
  return {
    userId: stored.userId,
    handle: stored.handle,
    displayName: stored.displayName,
    role: stored.role,
    followerCount: stored.followerCount + shardTotal,
    followingCount: stored.followingCount,
    postCount: stored.postCount,
    createdAt: stored.createdAt,
    lastActiveAt: stored.lastActiveAt,
    entitlements: stored.entitlements ?? [],
  };
}

/** The sparse inactivity index lists only accounts the cleanup may delete, by month of last activity. */
function inactivityIndexFields(role: Role, lastActiveAt: string): Pick<AccountItem, "inactivityPk" | "inactivitySk"> {
  return mayBeDeletedForInactivity(role)
    ? { inactivityPk: inactivityPartition(lastActiveAt), inactivitySk: lastActiveAt }
    : {};
}

export class HandleTaken extends Error {}
export class AccountAlreadyExists extends Error {}
export class AccountChangedConcurrently extends Error {}

const isProfile = (item: Record<string, unknown>) => item.entityType === entityTypes.account;
const isBeingDeleted = (item: Record<string, unknown>) => item.deletion !== undefined;

/** The profile item and follower-count shards of one account: one strongly consistent Query. */
export async function readAccountItems(userId: string): Promise<Record<string, unknown>[]> {
  const result = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": userPartition(userId), ":prefix": ACCOUNT_ITEMS_PREFIX },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}

/**
 * Reads one account, its exact follower count included: one strongly consistent Query of the profile item and
 * its follower-count shards (1 read request; about 1 RCU, as a GetItem of the profile alone would be).
 */
export async function getAccount(userId: string): Promise<Account | null> {
  const items = await readAccountItems(userId);
  const profile = items.find(isProfile);
  return profile && !isBeingDeleted(profile) ? toAccount(profile, items.filter((item) => !isProfile(item))) : null;
}

/** The state of an account as stored, being deleted or not: what the cleanup decides on. */
export interface StoredAccountState {
  account: Account;
  deletion: DeletionMark | null;
  /** The profile's own follower count and followingCount, and each shard's count, as read. */
  profileFollowerCount: number;
  shardCounts: { shard: number; count: number }[];
}

/** Reads an account as stored, its deletion mark included (1 consistent Query). Null when there is no profile. */
export async function getStoredAccountState(userId: string): Promise<StoredAccountState | null> {
  const items = await readAccountItems(userId);
  const profile = items.find(isProfile);
  if (!profile) return null;
  const shards = items.filter((item) => !isProfile(item)) as unknown as FollowerCountShardItem[];
  return {
    account: toAccount(profile, shards as unknown as Record<string, unknown>[]),
    deletion: (profile as unknown as AccountItem).deletion ?? null,
    profileFollowerCount: (profile as unknown as AccountItem).followerCount,
    shardCounts: shards.map((shard) => ({ shard: shard.shard, count: shard.count })),
  };
}

/** Whether an account exists (1 GetItem of the profile, consistent). */
export async function accountExists(userId: string): Promise<boolean> {
  const result = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: keys.account(userId),
      ConsistentRead: true,
      ProjectionExpression: "userId, deletion",
    }),
  );
  return result.Item !== undefined && !isBeingDeleted(result.Item);
}

/**
 * Reads accounts, exact follower counts included: one BatchGetItem per 100 profiles, then one per 100 of their
 * follower-count shards (unprocessed keys are retried). Lists that show only names use getProfileNames.
 */
export async function getAccounts(userIds: readonly string[]): Promise<Map<string, Account>> {
  const profiles = (await batchGetItems(userIds.map((userId) => keys.account(userId)))).filter((item) => !isBeingDeleted(item));
  const shardKeys = profiles.flatMap((profile) => {
    const stored = profile as unknown as AccountItem;
    return Array.from({ length: stored.followerCountShards ?? 0 }, (_, shard) => keys.followerCountShard(stored.userId, shard));
  });
  const shardsByUser = new Map<string, Record<string, unknown>[]>();
  for (const shard of await batchGetItems(shardKeys)) {
    const userId = shard.userId as string;
    const shards = shardsByUser.get(userId);
    if (shards) shards.push(shard);
    else shardsByUser.set(userId, [shard]);
  }
  return new Map(
    profiles.map((profile) => {
      const account = toAccount(profile, shardsByUser.get(profile.userId as string) ?? []);
      return [account.userId, account];
    }),
  );
}

export interface ProfileName {
  userId: string;
  handle: string;
  displayName: string;
}

/** The current handle and display name of accounts (one BatchGetItem per 100, only those attributes). */
export async function getProfileNames(userIds: readonly string[]): Promise<Map<string, ProfileName>> {
  const items = await batchGetItems(
    userIds.map((userId) => keys.account(userId)),
    { ProjectionExpression: "userId, #handle, displayName, deletion", ExpressionAttributeNames: { "#handle": "handle" } },
  );
  return new Map(
    items.filter((item) => !isBeingDeleted(item)).map((item) => [
      item.userId as string,
      { userId: item.userId as string, handle: item.handle as string, displayName: item.displayName as string },
    ]),
  );
}

/**
 * What the feed needs of each author (getPostBounds): the newest post's ULID and the visible post count, from
 * the profile items (one strongly consistent BatchGetItem per 100, only those attributes). Accounts that do not
 * exist (deleted, or being deleted by a cleanup) are left out.
 */
export async function getPostBounds(userIds: readonly string[]): Promise<Omit<FeedAuthor, "followedAt">[]> {
  const items = await batchGetItems(
    userIds.map((userId) => keys.account(userId)),
    { ProjectionExpression: "userId, latestPostUlid, postCount" },
  );
  return items.map((item) => ({
    authorId: item.userId as string,
    latestPostUlid: typeof item.latestPostUlid === "string" ? item.latestPostUlid : null,
    postCount: typeof item.postCount === "number" ? item.postCount : 0,
  }));
}

/** Resolves a handle, case-insensitively, to the account that holds it (1 GetItem). */
export async function findUserIdByHandle(handle: string): Promise<string | null> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.handle(handle), ConsistentRead: true }),
  );
  return typeof result.Item?.userId === "string" ? result.Item.userId : null;
}

export interface NewAccount {
  userId: string;
  handle: string;
  displayName: string;
  role: Role;
  now: string;
  /** Follower-count shard items to create (default: config FOLLOWER_COUNT_SHARDS). */
  followerCountShards?: number;
}

/**
 * Creates the profile and claims its handle in one transaction, so two accounts can never end up with the
 * same handle however the requests interleave. Throws HandleTaken or AccountAlreadyExists.
 */
export async function createAccount(input: NewAccount): Promise<Account> {
  const account: Account = {
    userId: input.userId,
    handle: input.handle,
    displayName: input.displayName,
    role: input.role,
    followerCount: 0,
    followingCount: 0,
    postCount: 0,
    createdAt: input.now,
    lastActiveAt: input.now,
    entitlements: [],
  };
  const followerCountShards = input.followerCountShards ?? config.FOLLOWER_COUNT_SHARDS;
  const item: AccountItem = {
    ...keys.account(input.userId),
    entityType: entityTypes.account,
    ...account,
    ...inactivityIndexFields(input.role, input.now),
    ...(followerCountShards > 0 ? { followerCountShards } : {}),
  };
  // Unconditional: the profile's condition guards the whole transaction, and a shard left over by an
  // interrupted deletion is reset to zero.
  const shardPuts: TransactItems = Array.from({ length: followerCountShards }, (_, shard) => ({
    Put: {
      TableName: tableName,
      Item: {
        ...keys.followerCountShard(input.userId, shard),
        entityType: entityTypes.followerCountShard,
        userId: input.userId,
        shard,
        count: 0,
      } satisfies FollowerCountShardItem,
    },
  }));
  try {
    await transactWrite([
      { Put: { TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(pk)" } },
      {
        Put: {
          TableName: tableName,
          Item: { ...keys.handle(input.handle), entityType: entityTypes.handle, userId: input.userId },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
      ...shardPuts,
    ]);
  } catch (error) {
    if (error instanceof TransactionCancelled) {
      if (error.failedAt(0)) throw new AccountAlreadyExists();
      if (error.failedAt(1)) throw new HandleTaken();
    }
    throw error;
  }
  return account;
}

export interface ProfileChange {
  handle: string;
  displayName: string;
}

/**
 * Changes handle and display name. A new handle is claimed and the old one freed in the same transaction,
 * guarded by the handle this request read, so a concurrent change is detected (AccountChangedConcurrently).
 */
export async function updateAccountProfile(current: Account, change: ProfileChange): Promise<Account> {
  const updateProfile = {
    TableName: tableName,
    Key: keys.account(current.userId),
    UpdateExpression: "SET #handle = :handle, displayName = :displayName",
    ConditionExpression: "attribute_exists(pk) AND #handle = :currentHandle",
    ExpressionAttributeNames: { "#handle": "handle" },
    ExpressionAttributeValues: {
      ":handle": change.handle,
      ":displayName": change.displayName,
      ":currentHandle": current.handle,
    },
  };
  const sameClaim = change.handle.toLowerCase() === current.handle.toLowerCase();
  try {
    if (sameClaim) {
      await transactWrite([{ Update: updateProfile }]);
    } else {
      await transactWrite([
        { Update: updateProfile },
        {
          Delete: {
            TableName: tableName,
            Key: keys.handle(current.handle),
            ConditionExpression: "userId = :userId",
            ExpressionAttributeValues: { ":userId": current.userId },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { ...keys.handle(change.handle), entityType: entityTypes.handle, userId: current.userId },
            ConditionExpression: "attribute_not_exists(pk)",
          },
        },
      ]);
    }
  } catch (error) {
    if (error instanceof TransactionCancelled) {
      if (error.failedAt(0) || error.failedAt(1)) throw new AccountChangedConcurrently();
      if (error.failedAt(2)) throw new HandleTaken();
    }
    throw error;
  }
  return { ...current, handle: change.handle, displayName: change.displayName };
}

/**
 * Writes the activity time and/or role a request found stale. Conditional on the account still existing and
 * not being deleted, so it never brings back an account that a cleanup deleted or marked meanwhile (the mark
 * is where a run decides; activity after it comes too late). Returns false when it was gone.
 */
export async function refreshAccount(account: Account, refresh: AccountRefresh): Promise<boolean> {
  const role = refresh.role ?? account.role;
  const lastActiveAt = refresh.lastActiveAt ?? account.lastActiveAt;
  const index = inactivityIndexFields(role, lastActiveAt);
  const sets = ["#role = :role", "lastActiveAt = :lastActiveAt"];
  const values: Record<string, unknown> = { ":role": role, ":lastActiveAt": lastActiveAt };
  let update: string;
  if (index.inactivityPk) {
    sets.push("inactivityPk = :inactivityPk", "inactivitySk = :inactivitySk");
    values[":inactivityPk"] = index.inactivityPk;
    values[":inactivitySk"] = index.inactivitySk;
    update = `SET ${sets.join(", ")}`;
  } else {
    update = `SET ${sets.join(", ")} REMOVE inactivityPk, inactivitySk`;
  }
  try {
    await withConflictRetry(() =>
      documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.account(account.userId),
          UpdateExpression: update,
          // Never on an account whose deletion began: from the mark on, the account counts as gone.
          ConditionExpression: LIVE_ACCOUNT_CONDITION,
          ExpressionAttributeNames: { "#role": "role" },
          ExpressionAttributeValues: values,
        }),
      ),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === "ConditionalCheckFailedException") return false;
    throw error;
  }
}

/** Replaces an account's entitlement set and answers the stored set; null when there is no such account (1 UpdateItem). */
export async function replaceEntitlements(userId: string, entitlements: Entitlement[]): Promise<Entitlement[] | null> {
  try {
    const result = await withConflictRetry(() =>
      documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.account(userId),
          UpdateExpression: "SET entitlements = :entitlements",
          ConditionExpression: LIVE_ACCOUNT_CONDITION,
          ExpressionAttributeValues: { ":entitlements": entitlements },
          ReturnValues: "UPDATED_NEW",
        }),
      ),
    );
    return result.Attributes ? ((result.Attributes.entitlements ?? []) as Entitlement[]) : null;
  } catch (error) {
    if (error instanceof Error && error.name === "ConditionalCheckFailedException") return null;
    throw error;
  }
}

/**
 * Where a follow adds one to an account's follower count, or an unfollow takes one away: one of the account's
 * shard items, or the profile item itself for an account without shards. Spreading the count over shards keeps
 * concurrent follows of one author from conflicting on one item (docs/data-model.md, "Hot authors").
 */
export type FollowerCountTarget = { kind: "shard"; userId: string; shard: number } | { kind: "profile"; userId: string };

/** A shard chosen at random among those new accounts get (a write falls back when the account lacks it). */
export function pickFollowerCountTarget(userId: string, shards = config.FOLLOWER_COUNT_SHARDS): FollowerCountTarget {
  return shards > 0 ? { kind: "shard", userId, shard: Math.floor(Math.random() * shards) } : { kind: "profile", userId };
}

/**
 * The targets an existing account really has (its shards, else its profile), or null when there is no account:
 * what a write whose target was missing chooses from instead. One Query.
 */
export async function existingFollowerCountTargets(userId: string): Promise<FollowerCountTarget[] | null> {
  const items = await readAccountItems(userId);
  // An account being deleted still has its items: an unfollow may take from them, a follow's condition refuses.
  if (!items.some(isProfile)) return null;
  const shards = items.filter((item) => !isProfile(item)).map((item) => (item as unknown as FollowerCountShardItem).shard);
  return shards.length === 0 ? [{ kind: "profile", userId }] : shards.map((shard) => ({ kind: "shard", userId, shard }));
}

/**
 * The transaction item that changes a follower count by `delta`, only while its item exists; a follow (+1) also
 * only while the account's deletion has not begun (the mark is on the profile and every shard), so that no
 * relation can appear after a deletion listed them. An unfollow (-1) may still take one away: the deletion
 * itself does.
 */
export function followerCountChange(target: FollowerCountTarget, delta: 1 | -1): TransactItems[number] {
  const update =
    target.kind === "shard"
      ? { Key: keys.followerCountShard(target.userId, target.shard), UpdateExpression: "ADD #count :delta" }
      : { Key: keys.account(target.userId), UpdateExpression: "ADD followerCount :delta" };
  return {
    Update: {
      TableName: tableName,
      ...update,
      ConditionExpression: delta > 0 ? LIVE_ACCOUNT_CONDITION : "attribute_exists(pk)",
      ...(target.kind === "shard" ? { ExpressionAttributeNames: { "#count": "count" } } : {}),
      ExpressionAttributeValues: { ":delta": delta },
    },
  };
}

/**
 * The transaction item that changes an account's following count by `delta`, only while the account exists (a
 * follow: and is not being deleted).
 */
export function followingCountChange(userId: string, delta: 1 | -1): TransactItems[number] {
  return {
    Update: {
      TableName: tableName,
      Key: keys.account(userId),
      UpdateExpression: "ADD followingCount :delta",
      ConditionExpression: delta > 0 ? LIVE_ACCOUNT_CONDITION : "attribute_exists(pk)",
      ExpressionAttributeValues: { ":delta": delta },
    },
  };
}

/**
 * The transaction items that store an account's recounted follower and following counts, guarded by the values
 * the recount read before counting (`state`): the recount goes on the profile and every shard is set to 0, each
 * item only if it still holds what was read, so a follow or unfollow that lands meanwhile cancels the write and
 * the recount is read and counted again. No items when the stored counts already equal the recount.
 */
export function storeRecountItems(state: StoredAccountState, followers: number, following: number): TransactItems {
  const { account } = state;
  if (account.followerCount === followers && account.followingCount === following) return [];
  const names: Record<string, string> = { "#count": "count" };
  return [
    {
      Update: {
        TableName: tableName,
        Key: keys.account(account.userId),
        UpdateExpression: "SET followerCount = :followers, followingCount = :following",
        ConditionExpression: `${LIVE_ACCOUNT_CONDITION} AND followerCount = :readFollowers AND followingCount = :readFollowing`,
        ExpressionAttributeValues: {
          ":followers": followers,
          ":following": following,
          ":readFollowers": state.profileFollowerCount,
          ":readFollowing": account.followingCount,
        },
      },
    },
    ...state.shardCounts.map(
      ({ shard, count }): TransactItems[number] => ({
        Update: {
          TableName: tableName,
          Key: keys.followerCountShard(account.userId, shard),
          UpdateExpression: "SET #count = :zero",
          ConditionExpression: "#count = :read",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ":zero": 0, ":read": count },
        },
      }),
    ),
  ];
}
