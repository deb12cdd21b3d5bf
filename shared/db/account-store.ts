import { BatchGetCommand, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mayBeDeletedForInactivity, type Account, type AccountRefresh } from "../domain/account";
import type { Entitlement } from "../domain/entitlements";
import type { Role } from "../domain/roles";
import { documentClient, tableName } from "./client";
import { entityTypes, inactivityPartition, keys } from "./keys";
import { transactWrite, TransactionCancelled, withConflictRetry } from "./transactions";

interface AccountItem extends Account {
  pk: string;
  sk: string;
  entityType: typeof entityTypes.account;
  inactivityPk?: string;
  inactivitySk?: string;
}

function toAccount(item: Record<string, unknown>): Account {
  const stored = item as unknown as AccountItem;
  return {
    userId: stored.userId,
    handle: stored.handle,
    displayName: stored.displayName,
    role: stored.role,
    followerCount: stored.followerCount,
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

/** Reads one account with a strongly consistent GetItem (1 read request). */
export async function getAccount(userId: string): Promise<Account | null> {
  const result = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.account(userId), ConsistentRead: true }),
  );
  return result.Item ? toAccount(result.Item) : null;
}

/** Reads up to 100 accounts in one BatchGetItem per 100 ids (unprocessed keys are retried). */
export async function getAccounts(userIds: readonly string[]): Promise<Map<string, Account>> {
  const found = new Map<string, Account>();
  const unique = [...new Set(userIds)];
  for (let start = 0; start < unique.length; start += 100) {
    let requestKeys: Record<string, unknown>[] | undefined = unique
      .slice(start, start + 100)
      .map((userId) => ({ ...keys.account(userId) }));
    for (let attempt = 0; requestKeys && requestKeys.length > 0; attempt++) {
      const result: Awaited<ReturnType<typeof batchGet>> = await batchGet(requestKeys);
      for (const item of result.Responses?.[tableName] ?? []) {
        const account = toAccount(item);
        found.set(account.userId, account);
      }
      requestKeys = result.UnprocessedKeys?.[tableName]?.Keys;
      if (requestKeys?.length) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
    }
  }
  return found;
}

function batchGet(requestKeys: Record<string, unknown>[]) {
  return documentClient.send(
    new BatchGetCommand({ RequestItems: { [tableName]: { Keys: requestKeys, ConsistentRead: true } } }),
  );
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
  const item: AccountItem = {
    ...keys.account(input.userId),
    entityType: entityTypes.account,
    ...account,
    ...inactivityIndexFields(input.role, input.now),
  };
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
 * Writes the activity time and/or role a request found stale. Conditional on the account still existing,
 * so it never brings back an account that a cleanup deleted meanwhile. Returns false when it was gone.
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
          ConditionExpression: "attribute_exists(pk)",
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

/** Replaces an account's entitlement set; returns null when there is no such account (1 UpdateItem). */
export async function replaceEntitlements(userId: string, entitlements: Entitlement[]): Promise<Account | null> {
  try {
    const result = await withConflictRetry(() =>
      documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.account(userId),
          UpdateExpression: "SET entitlements = :entitlements",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":entitlements": entitlements },
          ReturnValues: "ALL_NEW",
        }),
      ),
    );
    return result.Attributes ? toAccount(result.Attributes) : null;
  } catch (error) {
    if (error instanceof Error && error.name === "ConditionalCheckFailedException") return null;
    throw error;
  }
}
