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
  /**
   * A deactivation (contract 1.2, "A second chance"): what the account kept is purged once this time has passed;
   * until then its owner's sign-in restores it. Absent: a deletion (the owner asked, or no grace is configured).
   */
  graceUntil?: string;
  /** Where a deactivation stands: its relations moving out, all out (dormant), or being purged. */
  phase?: DeactivationPhase;
}

type DeactivationPhase = "deactivating" | "dormant" | "purging";

/** A deactivation's mark: a deletion mark with its grace. */
export type DeactivationMark = DeletionMark & { graceUntil: string; phase: DeactivationPhase };

export const isDeactivation = (mark: DeletionMark | null): mark is DeactivationMark =>
  mark !== null && mark.graceUntil !== undefined && mark.phase !== undefined;

/** A restore under way (contract 1.2): the account reads as live, its relations come back one by one. */
export interface RestoringState {
  /** The restore's own ID (a ULID): its follower history points' ID, unless an undo's stands in. */
  restoreId: string;
  /** The touched set its raised counts are recorded in: the restore's ID, or the undo's. */
  touchedSet: string;
  /** The run whose deactivation it undoes (its `accountsRestored` counts the restore when done). */
  fromRunId: string | null;
  /** The undo that restores it, if an operator's undo does. */
  undoId?: string;
  at: string;
}

/** A notice of the account's current schedule as stored: its lead as written, and how its delivery settled. */
export interface StoredNotice {
  lead: string;
  recordedAt: string;
  sentAt?: string;
  delivery?: NoticeDelivery;
  /**
   * While the notice waits to go out (recorded, not yet settled): what its message is composed from, as the account
   * stood when it was recorded (about 100 bytes; the settlement removes them). Where the outbox item held them before.
   */
  queued?: QueuedNoticeFacts;
}

/** What a notice's message says of the account and its schedule, as they stood when the notice was recorded. */
export interface QueuedNoticeFacts {
  /** The account's handle (without the `@`). */
  handle: string;
  lastActiveAt: string;
  /** The earliest the account can be deleted, as the run decided it: the record time plus the lead. */
  deletionNotBefore: string;
}

/** A notice waiting to go out, as its delivery needs it: which entry of whose schedule, and its message's facts. */
export interface QueuedNotice {
  userId: string;
  /** The notice's lead as written (`P30D`) and when it was recorded: which entry of the schedule it is. */
  lead: string;
  recordedAt: string;
  facts: QueuedNoticeFacts;
}

export type NoticeDelivery = "sent" | "undeliverable";

export interface AccountItem extends ItemKey, Omit<Account, "restoring" | "followersUnderNotice"> {
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
  restoring?: RestoringState;
  /** The account is under notice: its relations' outlook entries belong at this time (docs/data-model.md, O1). */
  outlookAt?: string;
  /** Its relations' outlook entries are not all where `outlookAt` says yet: a sync is due. */
  outlookDirty?: boolean;
}

/** The profile as stored: the account (its follower count without the shards'), and what the store decides on. */
export interface StoredProfile {
  account: Account;
  followerCountShards: number;
  deletion: DeletionMark | null;
  /** The current notice schedule, oldest first (empty: none runs). */
  notices: ScheduleEntry[];
  /** The newest notice when it waits to go out with its facts on the profile (null: none waits there). */
  queuedNotice: QueuedNotice | null;
  /** The version of the profile's counts (absent: 0), which a recount conditions its write on. */
  countVersion: number;
  restoring: RestoringState | null;
  /** Where the account's outlook entries belong (null: it is not under notice), and whether a sync is due. */
  outlook: { at: string | null; dirty: boolean };
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

function readQueuedFacts(value: unknown): QueuedNoticeFacts {
  const attributes = attributesOf(value, "queued notice facts");
  return {
    handle: attributes.string("handle"),
    lastActiveAt: attributes.string("lastActiveAt"),
    deletionNotBefore: attributes.string("deletionNotBefore"),
  };
}

/** The schedule's newest notice when it is unsent and holds its facts (what its delivery composes the message from). */
function readQueuedNotice(userId: string, schedule: unknown[] | undefined): QueuedNotice | null {
  const newest = schedule?.at(-1);
  if (newest === undefined) return null;
  const attributes = attributesOf(newest, "notice");
  const facts = attributes.optionalMap("queued");
  if (!facts || attributes.has("sentAt")) return null;
  return {
    userId,
    lead: attributes.string("lead"),
    recordedAt: attributes.string("recordedAt"),
    facts: readQueuedFacts(facts),
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
  const { restoring: _restoring, followersUnderNotice: _underNotice, ...stored } = account;
  return {
    ...keys.account(account.userId),
    entityType: entityTypes.account,
    ...stored,
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

const phases = ["deactivating", "dormant", "purging"] as const satisfies readonly DeactivationPhase[];

function readDeletionMark(value: unknown): DeletionMark {
  const attributes = attributesOf(value, "deletion mark");
  const graceUntil = attributes.optionalString("graceUntil");
  return {
    reason: attributes.oneOf("reason", ["inactive", "owner"]),
    runId: attributes.nullableString("runId"),
    at: attributes.string("at"),
    ...(graceUntil === undefined ? {} : { graceUntil, phase: attributes.oneOf("phase", phases) }),
  };
}

function readRestoring(value: unknown): RestoringState {
  const attributes = attributesOf(value, "restoring");
  const undoId = attributes.optionalString("undoId");
  return {
    restoreId: attributes.string("restoreId"),
    touchedSet: attributes.string("touchedSet"),
    fromRunId: attributes.nullableString("fromRunId"),
    ...(undoId === undefined ? {} : { undoId }),
    at: attributes.string("at"),
  };
}

/** The profile a stored item holds; null when the item is not an account's profile. */
export function fromAccountItem(item: RawItem | undefined): StoredProfile | null {
  if (!isEntity(item, entityTypes.account)) return null;
  const attributes = attributesOf(item, entityTypes.account);
  const deletion = attributes.optionalMap("deletion");
  const restoring = attributes.optionalMap("restoring");
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
      ...(restoring ? { restoring: true } : {}),
    },
    followerCountShards: attributes.optionalNumber("followerCountShards") ?? 0,
    deletion: deletion ? readDeletionMark(deletion) : null,
    notices: attributes.optionalList("noticeSchedule", readNotice) ?? [],
    queuedNotice: readQueuedNotice(
      attributes.string("userId"),
      attributes.optionalList("noticeSchedule", (entry) => entry),
    ),
    countVersion: attributes.optionalNumber(COUNT_VERSION) ?? 0,
    restoring: restoring ? readRestoring(restoring) : null,
    outlook: {
      at: attributes.optionalString("outlookAt") ?? null,
      dirty: attributes.optionalBoolean("outlookDirty") === true,
    },
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
