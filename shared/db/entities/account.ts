// The account entity: one profile item per account (`USER#<userId>`, `PROFILE`) holding the profile, the counts,
// the role, the entitlement set and the activity time; its follower count is spread over shard items
// (./follower-count-shard.ts). docs/data-model.md, "account".
import type { Account } from "../../domain/account";
import { mayBeDeletedForInactivity } from "../../domain/roles";
import type { ScheduledNotice } from "../../domain/deletion-schedule";
import type { Entitlement } from "../../domain/entitlements";
import { isoDuration } from "../../domain/iso-duration";
import type { Role } from "../../domain/roles";
import { attributesOf, isEntity, projectionOf, type RawItem } from "../attributes";
import { COUNT_VERSION } from "../count-version";
import { entityTypes, inactivityPartition, keys, type ItemKey } from "../keys";

/**
 * The mark of an account whose deletion began (by a cleanup run or by its owner). The profile and its shards
 * carry it; every read treats the account as absent, and no write may add to it any more.
 */
export interface DeletionMark {
  reason: "inactive" | "owner";
  runId: string | null;
  at: string;
}

/** A notice of the account's current schedule as stored: its lead as written, and how its delivery settled. */
export interface StoredNotice {
  lead: string;
  recordedAt: string;
  sentAt?: string;
  delivery?: NoticeDelivery;
}

export type NoticeDelivery = "sent" | "undeliverable";

export interface AccountItem extends ItemKey, Account {
  entityType: typeof entityTypes.account;
  /** The current notice schedule before deletion, oldest first (absent: none runs); `noticesPendingSince` starts it. */
  noticeSchedule?: StoredNotice[];
  /** The ULID of the newest post the author ever published (the feed's bound); absent: none recorded. */
  latestPostUlid?: string;
  /** The sparse inactivity index's keys: readers only (the cleanup may delete no one else). */
  inactivityPk?: string;
  inactivitySk?: string;
  /** How many follower-count shard items the account was created with (absent: none). */
  followerCountShards?: number;
  deletion?: DeletionMark;
  /** The count guard: every write of followerCount, followingCount or postCount adds one (../count-version.ts). */
  countVersion?: number;
}

/** The profile as stored: the account (its follower count without the shards'), and what the store decides on. */
export interface StoredProfile {
  account: Account;
  followerCountShards: number;
  deletion: DeletionMark | null;
  /** The current notice schedule, oldest first (empty: none runs). */
  notices: ScheduleEntry[];
  /** The version of the profile's counts (absent: 0), which a recount conditions its write on. */
  countVersion: number;
}

/** A notice of the current schedule as the domain reads it, with how its delivery settled. */
export type ScheduleEntry = ScheduledNotice & { delivery?: NoticeDelivery };

const deliveries = ["sent", "undeliverable"] as const satisfies readonly NoticeDelivery[];

function readNotice(value: unknown, where: string): ScheduleEntry {
  const attributes = attributesOf(value, where);
  const sentAt = attributes.optionalString("sentAt");
  const delivery = attributes.has("delivery") ? attributes.oneOf("delivery", deliveries) : undefined;
  return {
    lead: isoDuration(attributes.string("lead")),
    recordedAt: attributes.string("recordedAt"),
    ...(sentAt === undefined ? {} : { sentAt }),
    ...(delivery === undefined ? {} : { delivery }),
  };
}

const roles = ["reader", "author", "admin"] as const satisfies readonly Role[];
const tiers = ["plus", "ultimate", "select"] as const satisfies readonly Entitlement["tier"][];

/** The sparse inactivity index lists only accounts the cleanup may delete, by month of last activity. */
export function inactivityIndexFields(
  role: Role,
  lastActiveAt: string,
): Pick<AccountItem, "inactivityPk" | "inactivitySk"> {
  return mayBeDeletedForInactivity(role)
    ? { inactivityPk: inactivityPartition(lastActiveAt), inactivitySk: lastActiveAt }
    : {};
}

/** The profile item of a new account. */
export function toAccountItem(account: Account, followerCountShards: number): AccountItem {
  return {
    ...keys.account(account.userId),
    entityType: entityTypes.account,
    ...account,
    ...inactivityIndexFields(account.role, account.lastActiveAt),
    ...(followerCountShards > 0 ? { followerCountShards } : {}),
  };
}

function readEntitlement(value: unknown, where: string): Entitlement {
  const attributes = attributesOf(value, where);
  const tier = attributes.oneOf("tier", tiers);
  const validUntil = attributes.optionalString("validUntil");
  const until = validUntil === undefined ? {} : { validUntil };
  return tier === "select" ? { tier, authorId: attributes.string("authorId"), ...until } : { tier, ...until };
}

function readDeletionMark(value: unknown): DeletionMark {
  const attributes = attributesOf(value, "deletion mark");
  return {
    reason: attributes.oneOf("reason", ["inactive", "owner"]),
    runId: attributes.nullableString("runId"),
    at: attributes.string("at"),
  };
}

/** The profile a stored item holds; null when the item is not an account's profile. */
export function fromAccountItem(item: RawItem | undefined): StoredProfile | null {
  if (!isEntity(item, entityTypes.account)) return null;
  const attributes = attributesOf(item, entityTypes.account);
  const deletion = attributes.optionalMap("deletion");
  const noticesPendingSince = attributes.optionalString("noticesPendingSince");
  const emailClaim = attributes.nullableString("emailClaim");
  return {
    account: {
      userId: attributes.string("userId"),
      handle: attributes.string("handle"),
      displayName: attributes.string("displayName"),
      role: attributes.oneOf("role", roles),
      followerCount: attributes.number("followerCount"),
      followingCount: attributes.number("followingCount"),
      postCount: attributes.number("postCount"),
      createdAt: attributes.string("createdAt"),
      lastActiveAt: attributes.string("lastActiveAt"),
      entitlements: attributes.optionalList("entitlements", readEntitlement) ?? [],
      ...(noticesPendingSince === undefined ? {} : { noticesPendingSince }),
      ...(emailClaim === null ? {} : { emailClaim }),
    },
    followerCountShards: attributes.optionalNumber("followerCountShards") ?? 0,
    deletion: deletion ? readDeletionMark(deletion) : null,
    notices: attributes.optionalList("noticeSchedule", readNotice) ?? [],
    countVersion: attributes.optionalNumber(COUNT_VERSION) ?? 0,
  };
}

/** Reads the stored entitlement set an update handed back. */
export const readEntitlements = (item: RawItem): Entitlement[] =>
  attributesOf(item, entityTypes.account).optionalList("entitlements", readEntitlement) ?? [];

/** Whether a profile (or any projection of it that holds `deletion`) is being deleted. */
const beingDeleted = (item: RawItem): boolean => item.deletion !== undefined;

/** An account's current names, as a list page shows them (A9). */
export interface ProfileName {
  userId: string;
  handle: string;
  displayName: string;
}

/** The projection of A9 and its reading: accounts being deleted are left out. */
export const profileNames = {
  projection: projectionOf(["userId", "handle", "displayName", "deletion"]),
  read: (item: RawItem): ProfileName | null => {
    if (beingDeleted(item)) return null;
    const attributes = attributesOf(item, entityTypes.account);
    return {
      userId: attributes.string("userId"),
      handle: attributes.string("handle"),
      displayName: attributes.string("displayName"),
    };
  },
};

/** What the feed needs of an author (FD2): its newest post's ULID (null: none recorded) and its visible post count. */
export const postBounds = {
  projection: projectionOf(["userId", "latestPostUlid", "postCount"]),
  read: (item: RawItem) => {
    const attributes = attributesOf(item, entityTypes.account);
    return {
      authorId: attributes.string("userId"),
      latestPostUlid: attributes.optionalString("latestPostUlid") ?? null,
      postCount: attributes.optionalNumber("postCount") ?? 0,
    };
  },
};

/** Whether an account is there for the API (A11): a profile whose deletion has not begun. */
export const liveness = {
  projection: projectionOf(["userId", "deletion"]),
  read: (item: RawItem): boolean => !beingDeleted(item),
};
