import { config } from "../config";
import { activityAfter, type Account, type AccountRefresh } from "../domain/account";
import type { Entitlement } from "../domain/entitlements";
import type { Role } from "../domain/roles";
import {
  fromAccountItem,
  inactivityIndexFields,
  liveness,
  readEntitlements,
  toAccountItem,
  type DeletionMark,
  type RestoringState,
  type QueuedNotice,
  type ScheduleEntry,
  type StoredProfile,
} from "./entities/account";
import { fromFollowerCountShardItem, toFollowerCountShardItem } from "./entities/follower-count-shard";
import { fromHandleClaimItem, toHandleClaimItem } from "./entities/handle-claim";
import { learnFollowerCountTargets } from "./follower-count-targets";
import { cleanupKeys, collections, keys } from "./keys";
import { queryAll } from "./query";
import { batchGet } from "./batch";
import type { RawItem } from "./attributes";
import { unavailable } from "../errors";
import { ConditionFailed, getItem, updateItem, type ItemReader } from "./requests";
import { toOutlookSyncItem } from "./entities/outlook-sync";
import { deleteOf, putOf, transactWrite, TransactionCancelled, unlessCancelled, updateOf } from "./transactions";

// Accounts: the profile item, its follower-count shards (read with it, see follower-count-store.ts for the writes
// that move them) and the handle claims. Reads of many accounts at once: account-batch-reader.ts.
// docs/data-model.md, "account" and A1-A11.

export type { DeletionMark };

/** Condition (for an UpdateItem) that the account item exists and its deletion has not begun. */
export const LIVE_ACCOUNT_CONDITION = "attribute_exists(pk) AND attribute_not_exists(deletion)";

export class HandleTaken extends Error {}

/**
 * The condition of a handle claim's Put: the handle is free, or held in quarantine (a purged account's, contract
 * 1.2) that has expired, or that reserves it for this very account.
 */
function claimable(userId: string, now: string) {
  return {
    ConditionExpression:
      "attribute_not_exists(pk) OR quarantinedUntil <= :now OR (attribute_exists(quarantinedUntil) AND userId = :claimant)",
    ExpressionAttributeValues: { ":now": now, ":claimant": userId },
  };
}
export class AccountAlreadyExists extends Error {}
export class AccountChangedConcurrently extends Error {}

/** A follower-count shard as read: its number, its count and the count's version (count-version.ts). */
interface ShardCount {
  shard: number;
  count: number;
  countVersion: number;
}

type AccountPart =
  | { kind: "profile"; profile: StoredProfile; underNotice: number }
  | ({ kind: "shard"; underNotice: number } & ShardCount);

const readAccountPart: ItemReader<AccountPart> = (item) => {
  const profile = fromAccountItem(item);
  if (profile)
    return { kind: "profile", profile, underNotice: typeof item.underNotice === "number" ? item.underNotice : 0 };
  const shard = fromFollowerCountShardItem(item);
  return shard
    ? {
        kind: "shard",
        shard: shard.shard,
        count: shard.count,
        countVersion: shard.countVersion,
        underNotice: shard.underNotice,
      }
    : null;
};

/** The state of an account as stored, being deleted or not: what the cleanup decides on. */
export interface StoredAccountState {
  /** The account, its follower count the profile's own plus every shard's. */
  account: Account;
  deletion: DeletionMark | null;
  /** The current notice schedule before deletion, oldest first (empty: none runs). */
  notices: ScheduleEntry[];
  /** Its newest notice when it waits to go out, with the facts its message is composed from (null: none waits). */
  queuedNotice: QueuedNotice | null;
  /** The profile's own follower count and each shard's count, as read. */
  profileFollowerCount: number;
  shardCounts: ShardCount[];
  /** The shards the profile says it has (`followerCountShards`; 0: none): what a deletion's mark is conditioned on. */
  followerCountShards: number;
  /** The version of the profile's counts as read (count-version.ts): what a recount conditions its write on. */
  profileCountVersion: number;
  /** A restore under way, if any (the account reads as live meanwhile). */
  restoring: RestoringState | null;
  /** Where its relations' outlook entries belong (null: not under notice), and whether a sync is due. */
  outlook: { at: string | null; dirty: boolean };
}

/**
 * Reads an account as stored, its deletion mark included: one strongly consistent Query of the profile item and
 * its follower-count shards (1 read request; about 1 RCU, as a GetItem of the profile alone would be). The
 * follower count is the profile's own plus every shard's, so it is exact whichever items follows went to. Null
 * when there is no profile.
 */
export async function getStoredAccountState(userId: string): Promise<StoredAccountState | null> {
  return stateOf(await queryAll(collections.accountItems(userId), readAccountPart));
}

/**
 * Reads a batch of accounts as stored, as getStoredAccountState reads one: one strongly consistent BatchGetItem of
 * the profiles (per 100, unprocessed keys asked for again), then getStoredAccountState's Query only for an account
 * whose profile says it has follower-count shards (their counts and versions are part of its state). Absent
 * accounts are missing from the answer.
 */
export async function getStoredAccountStates(userIds: readonly string[]): Promise<Map<string, StoredAccountState>> {
  const profiles = await batchGet(
    userIds.map((userId) => keys.account(userId)),
    (item) => {
      const part = readAccountPart(item);
      return part?.kind === "profile" ? part : null;
    },
  );
  const states = await Promise.all(
    profiles.map(async (part) =>
      part.profile.followerCountShards > 0 ? getStoredAccountState(part.profile.account.userId) : stateOf([part]),
    ),
  );
  return new Map(states.flatMap((state) => (state ? [[state.account.userId, state] as const] : [])));
}

function stateOf(parts: readonly AccountPart[]): StoredAccountState | null {
  const profile = parts.find((part) => part.kind === "profile")?.profile;
  if (!profile) return null;
  const shardCounts = parts.flatMap((part) =>
    part.kind === "shard" ? [{ shard: part.shard, count: part.count, countVersion: part.countVersion }] : [],
  );
  const shardTotal = shardCounts.reduce((sum, shard) => sum + shard.count, 0);
  const underNotice = parts.reduce((sum, part) => sum + part.underNotice, 0);
  learnFollowerCountTargets(
    profile.account.userId,
    shardCounts.map(({ shard }) => shard),
  );
  return {
    account: {
      ...profile.account,
      followerCount: profile.account.followerCount + shardTotal,
      followersUnderNotice: underNotice,
    },
    deletion: profile.deletion,
    notices: profile.notices,
    queuedNotice: profile.queuedNotice,
    profileFollowerCount: profile.account.followerCount,
    shardCounts,
    followerCountShards: profile.followerCountShards,
    profileCountVersion: profile.countVersion,
    restoring: profile.restoring,
    outlook: profile.outlook,
  };
}

/** Reads one account, its exact follower count included (A1: 1 Query); null when absent or being deleted. */
export async function getAccount(userId: string): Promise<Account | null> {
  const state = await getStoredAccountState(userId);
  return state && !state.deletion ? state.account : null;
}

/** Whether an account exists and is not being deleted (1 GetItem of the profile, consistent). */
export async function accountExists(userId: string): Promise<boolean> {
  return (await getItem(keys.account(userId), liveness.read, liveness.projection)) === true;
}

/** Resolves a handle, case-insensitively, to the account that holds it (1 GetItem). */
export function findUserIdByHandle(handle: string): Promise<string | null> {
  return getItem(keys.handle(handle), fromHandleClaimItem);
}

export interface NewAccount {
  userId: string;
  handle: string;
  displayName: string;
  role: Role;
  now: string;
  /** The `email` claim of the token that creates it (null or absent: none). */
  emailClaim?: string | null;
  /**
   * Follower-count shard items to create (default: FOLLOWER_COUNT_SHARDS for an author, who is there to be followed;
   * none for anyone else, who gets them if its follower count reaches FOLLOWER_COUNT_SHARD_THRESHOLD).
   */
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
    ...(input.emailClaim ? { emailClaim: input.emailClaim } : {}),
  };
  const followerCountShards = input.followerCountShards ?? (input.role === "author" ? config.FOLLOWER_COUNT_SHARDS : 0);
  const created = { ConditionExpression: "attribute_not_exists(pk)" };
  try {
    await transactWrite([
      putOf(toAccountItem(account, followerCountShards), created),
      putOf(toHandleClaimItem(input.handle, input.userId), claimable(input.userId, input.now)),
      // Unconditional: the profile's condition guards the whole transaction, and a shard left over by an
      // interrupted deletion is reset to zero.
      ...Array.from({ length: followerCountShards }, (_, shard) =>
        putOf(toFollowerCountShardItem(input.userId, shard)),
      ),
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
  const updateProfile = updateOf(keys.account(current.userId), {
    UpdateExpression: "SET #handle = :handle, displayName = :displayName",
    ConditionExpression: "attribute_exists(pk) AND #handle = :currentHandle",
    ExpressionAttributeNames: { "#handle": "handle" },
    ExpressionAttributeValues: {
      ":handle": change.handle,
      ":displayName": change.displayName,
      ":currentHandle": current.handle,
    },
  });
  const sameClaim = change.handle.toLowerCase() === current.handle.toLowerCase();
  try {
    await transactWrite(
      sameClaim
        ? [updateProfile]
        : [
            updateProfile,
            deleteOf(keys.handle(current.handle), {
              ConditionExpression: "userId = :userId",
              ExpressionAttributeValues: { ":userId": current.userId },
            }),
            putOf(
              toHandleClaimItem(change.handle, current.userId),
              claimable(current.userId, new Date().toISOString()),
            ),
          ],
    );
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
 * Writes the activity time, role and/or `email` claim a request found stale. A written activity time withdraws a
 * notice schedule (contract: any signed-in request withdraws an account's notices): from then on the rule reads it
 * as withdrawn (`activeSinceScheduleStarted`), the next run clears it and drops its queued notice unsent, and a run
 * recording a notice meanwhile is conditioned on the activity it read, so it cannot add to it. Conditional on
 * the account still existing and not being deleted, so it never brings back an account that a cleanup deleted or
 * marked meanwhile (the mark is where a run decides; activity after it comes too late). An activity write is also
 * conditioned on the schedule's start as the request read it: a run that recorded a first notice between the
 * request's read and this write (the request's time can be earlier than the notice's: it began first) is seen, and
 * the activity is written at the schedule's start at the least, so that it withdraws what it came after. Answers
 * what was written and whether it took the account out of its followees' outlooks (a sync is due), or null when
 * the account was gone.
 */
export async function refreshAccount(
  account: Account,
  refresh: AccountRefresh,
  withdrawsOutlook = false,
): Promise<{ written: AccountRefresh; withdrewOutlook: boolean } | null> {
  let written = refresh;
  let scheduleStart = account.noticesPendingSince;
  let withdraws = withdrawsOutlook;
  const key = keys.account(account.userId);
  for (let attempt = 0; attempt < 3; attempt++) {
    let oldItem: RawItem | undefined;
    try {
      const update = refreshUpdate(account, written, scheduleStart, withdraws);
      // The activity withdraws a notice schedule: the account leaves its followees' outlooks (a sync is due, the
      // request runs it before it answers; the registry entry lets a run finish a sync cut short).
      if (withdraws) await transactWrite([updateOf(key, update), putOf(toOutlookSyncItem(account.userId))]);
      else await updateItem(key, update);
      return { written, withdrewOutlook: withdraws };
    } catch (error) {
      if (error instanceof ConditionFailed) oldItem = error.item;
      else if (error instanceof TransactionCancelled) oldItem = (await getItem(key, (item) => item)) ?? undefined;
      else throw error;
    }
    const old = oldItem ? fromAccountItem(oldItem) : null;
    // Gone, or its deletion began: from the mark on, the account counts as gone.
    if (!old || old.deletion) return null;
    // A schedule started (or was cleared) since the request read the account: written again, after it (and out of
    // the outlooks the schedule put it in).
    scheduleStart = old.account.noticesPendingSince;
    if (written.lastActiveAt !== undefined) {
      written = { ...written, lastActiveAt: activityAfter(written.lastActiveAt, scheduleStart) };
      withdraws = withdraws || old.outlook.at !== null;
    }
  }
  throw unavailable(1);
}

function refreshUpdate(
  account: Account,
  refresh: AccountRefresh,
  scheduleStart: string | undefined,
  withdrawsOutlook: boolean,
) {
  const role = refresh.role ?? account.role;
  const lastActiveAt = refresh.lastActiveAt ?? account.lastActiveAt;
  const index = inactivityIndexFields(role, lastActiveAt);
  const sets = ["#role = :role", "lastActiveAt = :lastActiveAt"];
  const removes: string[] = [];
  if (index.inactivityPk) sets.push("inactivityPk = :inactivityPk", "inactivitySk = :inactivitySk");
  else removes.push("inactivityPk", "inactivitySk");
  if (refresh.emailClaim !== undefined) sets.push("emailClaim = :emailClaim");
  if (withdrawsOutlook) {
    sets.push("outlookDirty = :true");
    removes.push("outlookAt");
  }
  // An activity write comes after the schedule it read (none: none started meanwhile).
  const writesActivity = refresh.lastActiveAt !== undefined;
  const schedule = !writesActivity
    ? ""
    : scheduleStart === undefined
      ? " AND attribute_not_exists(noticesPendingSince)"
      : " AND noticesPendingSince = :scheduleStart";
  return {
    UpdateExpression: `SET ${sets.join(", ")}${removes.length > 0 ? ` REMOVE ${removes.join(", ")}` : ""}`,
    // Never on an account whose deletion began: from the mark on, the account counts as gone.
    ConditionExpression: `${LIVE_ACCOUNT_CONDITION}${schedule}`,
    ExpressionAttributeNames: { "#role": "role" },
    ExpressionAttributeValues: {
      ":role": role,
      ":lastActiveAt": lastActiveAt,
      ...(index.inactivityPk ? { ":inactivityPk": index.inactivityPk, ":inactivitySk": index.inactivitySk } : {}),
      ...(refresh.emailClaim !== undefined ? { ":emailClaim": refresh.emailClaim } : {}),
      ...(writesActivity && scheduleStart !== undefined ? { ":scheduleStart": scheduleStart } : {}),
      ...(withdrawsOutlook ? { ":true": true } : {}),
    },
    ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
  };
}

/**
 * Replaces an account's entitlement set and answers the stored set, and whether a notice schedule runs for the account
 * (its schedule or its outlook target is stored); null when there is no such account (1 UpdateItem).
 */
export async function replaceEntitlements(
  userId: string,
  entitlements: Entitlement[],
): Promise<{ entitlements: Entitlement[]; scheduled: boolean } | null> {
  try {
    const update = {
      UpdateExpression: "SET entitlements = :entitlements",
      ConditionExpression: LIVE_ACCOUNT_CONDITION,
      ExpressionAttributeValues: { ":entitlements": entitlements },
      ReturnValues: "ALL_NEW" as const,
    };
    const stored = await updateItem(keys.account(userId), update, (item) => ({
      entitlements: readEntitlements(item),
      scheduled: item.noticeSchedule !== undefined || item.outlookAt !== undefined,
    }));
    return stored ?? { entitlements: [], scheduled: false };
  } catch (error) {
    if (error instanceof ConditionFailed) return null;
    throw error;
  }
}

/**
 * Withdraws an account's notice schedule because an entitlement now exempts it (contract: "so does an entitlement
 * ... that exempts it"), in one transaction: the schedule and the outlook target go and a sync is due (with its
 * registry entry), any queued notice is dropped; only while the account still holds the set that exempts it.
 */
export function withdrawScheduleForExemption(userId: string, entitlements: Entitlement[]): Promise<boolean> {
  return unlessCancelled([
    updateOf(keys.account(userId), {
      UpdateExpression: "SET outlookDirty = :true REMOVE noticeSchedule, noticesPendingSince, outlookAt",
      ConditionExpression: `${LIVE_ACCOUNT_CONDITION} AND entitlements = :entitlements`,
      ExpressionAttributeValues: { ":true": true, ":entitlements": entitlements },
    }),
    deleteOf(cleanupKeys.queuedNotice(userId)),
    putOf(toOutlookSyncItem(userId)),
  ]);
}
