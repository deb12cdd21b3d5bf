import { activityMustBeWritten } from "./deletion-schedule";
import type { Entitlement } from "./entitlements";
import type { Role } from "./roles";

export interface Account {
  userId: string;
  handle: string;
  displayName: string;
  role: Role;
  followerCount: number;
  followingCount: number;
  postCount: number;
  createdAt: string;
  lastActiveAt: string;
  entitlements: Entitlement[];
  /** When the account's current notice schedule started (its first notice's record time); absent: none runs. */
  noticesPendingSince?: string;
  /** The `email` claim of the account's last token, as stored (absent or null: none). Only the local mail reads it. */
  emailClaim?: string | null;
  /** Its restore after a deactivation is under way: relations are still coming back (contract 1.2, `Me.restoring`). */
  restoring?: boolean;
  /** How many of its followers are under notice (the follower outlook; read with the account, never stored here). */
  followersUnderNotice?: number;
}

/** Who the verified token says the caller is. */
export interface Identity {
  userId: string;
  role: Role;
  /** The token's `email` claim when it is an address (null: none). */
  email?: string | null;
}

/** The caller of one request: anonymous, signed in without a profile, or signed in with one. */
export interface Caller {
  identity: Identity | null;
  account: Account | null;
}

export const anonymousCaller: Caller = { identity: null, account: null };

/** An account as anyone may see it (the API's Profile). Counts are exact. */
export interface Profile {
  userId: string;
  handle: string;
  displayName: string;
  role: Role;
  followerCount: number;
  followingCount: number;
  postCount: number;
  createdAt: string;
}

/** The caller's own account (the API's Me): its profile, its stored entitlements (expired ones too), its activity. */
export interface Me extends Profile {
  entitlements: Entitlement[];
  lastActiveAt: string;
  /** Relations are still coming back after a deactivation was undone (contract 1.2). */
  restoring: boolean;
}

export function toProfile(account: Account): Profile {
  return {
    userId: account.userId,
    handle: account.handle,
    displayName: account.displayName,
    role: account.role,
    followerCount: account.followerCount,
    followingCount: account.followingCount,
    postCount: account.postCount,
    createdAt: account.createdAt,
  };
}

export function toMe(account: Account): Me {
  return {
    ...toProfile(account),
    entitlements: account.entitlements,
    lastActiveAt: account.lastActiveAt,
    restoring: account.restoring === true,
  };
}

export const ACTIVITY_WRITE_INTERVAL_MS = 60 * 60 * 1000;

export interface AccountRefresh {
  lastActiveAt?: string;
  role?: Role;
  /** A changed `email` claim (null: the last token had none). */
  emailClaim?: string | null;
}

/**
 * The activity time a signed-in request writes: its own time, or the start of the notice schedule it withdraws when
 * that is later (written by a run whose clock runs ahead, or recorded while the request was under way): activity at
 * or after a schedule's start withdraws it (`activeSinceScheduleStarted`), and the request did come after it.
 */
export function activityAfter(now: string, scheduleStart: string | undefined): string {
  return scheduleStart !== undefined && Date.parse(scheduleStart) > Date.parse(now) ? scheduleStart : now;
}

/**
 * What a signed-in request must write back to the caller's account: the activity time when the stored one
 * is more than an hour old (so most requests write nothing) or while notices before deletion are pending
 * (whatever the hour: the request withdraws them), the role when the token's groups changed, and the token's
 * `email` claim when it differs from the stored one (rarely: the same token carries the same claim). An activity
 * time is never earlier than the start of a pending schedule (`activityAfter`): the run that started it may run on
 * a clock ahead of this request's, and the request still withdraws it.
 */
export function accountRefreshFor(account: Account, identity: Identity, now: Date): AccountRefresh | null {
  const refresh: AccountRefresh = {};
  if (
    now.getTime() - Date.parse(account.lastActiveAt) > ACTIVITY_WRITE_INTERVAL_MS ||
    activityMustBeWritten(account.lastActiveAt, account.noticesPendingSince)
  ) {
    refresh.lastActiveAt = activityAfter(now.toISOString(), account.noticesPendingSince);
  }
  if (account.role !== identity.role) refresh.role = identity.role;
  const email = identity.email ?? null;
  if (email !== (account.emailClaim ?? null)) refresh.emailClaim = email;
  return Object.keys(refresh).length === 0 ? null : refresh;
}
