import { getStoredAccountState, refreshAccount } from "../db/account-store";
import { isDeactivation } from "../db/entities/account";
import { accountRefreshFor, anonymousCaller, type Account, type Caller, type Identity } from "../domain/account";
import type { Role } from "../domain/roles";
import { budgetUntil } from "../deadline";
import { forbidden, profileRequired } from "../errors";

/** How long a signed-in request works on taking its caller out of its followees' outlooks before it goes on. */
const OUTLOOK_SYNC_BUDGET_MS = 2_000;
/** What the request keeps back from its deadline for its route's own work (shared/deadline.ts). */
const OUTLOOK_SYNC_RESERVE_MS = 5_000;

/**
 * Loads the caller's account (1 Query: the profile and its shards) and marks the caller active: the write happens
 * only when the stored activity is more than an hour old, a notice schedule is pending (the request withdraws it, and
 * takes the caller out of its followees' outlooks before it answers), or the token's groups changed the role. A
 * deactivated account within its grace is restored by this very request (contract 1.2).
 */
export async function resolveCaller(identity: Identity | null, now = new Date()): Promise<Caller> {
  if (!identity) return anonymousCaller;
  let state = await getStoredAccountState(identity.userId);
  if (state && isDeactivation(state.deletion)) {
    // Loaded only for a deactivated caller: every other request's cold start stays as it was.
    const { restoreOnSignIn } = await import("./cleanup/restore");
    if (await restoreOnSignIn(state, now)) state = await getStoredAccountState(identity.userId);
  }
  if (!state || state.deletion) return { identity, account: null };
  const account = state.account;
  const refresh = accountRefreshFor(account, identity, now);
  const withdrawsOutlook = refresh !== null && refresh.lastActiveAt !== undefined && state.outlook.at !== null;
  const refreshed = refresh ? await refreshAccount(account, refresh, withdrawsOutlook) : null;
  if (refresh && !refreshed) return { identity, account: null };
  const written = refreshed?.written;
  if (refreshed?.withdrewOutlook || state.outlook.dirty) {
    const { syncOutlook } = await import("./outlook");
    // The target as the refresh wrote it (none) or as read: the sync reads no account first.
    const known = refreshed?.withdrewOutlook ? { at: null } : state.outlook;
    await syncOutlook(account.userId, budgetUntil(OUTLOOK_SYNC_BUDGET_MS, OUTLOOK_SYNC_RESERVE_MS), known);
  }
  return { identity, account: written ? { ...account, ...written } : account };
}

/** The caller's account, or 403 `profile_required` for a signed-in caller who has not created one. */
export function requireProfile(caller: Caller): Account {
  if (!caller.account) throw profileRequired();
  return caller.account;
}

function hasRole(caller: Caller, roles: readonly Role[]): boolean {
  return caller.identity !== null && roles.includes(caller.identity.role);
}

export function requireRole(caller: Caller, roles: readonly Role[]): void {
  if (!hasRole(caller, roles)) throw forbidden("Your role does not allow this.");
}
