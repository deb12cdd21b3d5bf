import { getAccount, refreshAccount } from "../db/account-store";
import { accountRefreshFor, anonymousCaller, type Account, type Caller, type Identity } from "../domain/account";
import type { Role } from "../domain/roles";
import { forbidden, profileRequired } from "../errors";

/**
 * Loads the caller's account (1 GetItem) and marks the caller active: the write happens only when the stored
 * activity is more than an hour old or the token's groups changed the role.
 */
export async function resolveCaller(identity: Identity | null, now = new Date()): Promise<Caller> {
  if (!identity) return anonymousCaller;
  const account = await getAccount(identity.userId);
  if (!account) return { identity, account: null };
  const refresh = accountRefreshFor(account, identity, now);
  if (!refresh) return { identity, account };
  const written = await refreshAccount(account, refresh);
  return { identity, account: written ? { ...account, ...written } : null };
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
