import {
  AccountAlreadyExists,
  AccountChangedConcurrently,
  createAccount,
  findUserIdByHandle,
  getAccount,
  HandleTaken,
  replaceEntitlements,
  updateAccountProfile,
  withdrawScheduleForExemption,
} from "../db/account-store";
import { toMe, toProfile, type Caller, type Identity, type Me, type Profile } from "../domain/account";
import { unexpiredEntitlements, type Entitlement } from "../domain/entitlements";
import { budgetUntil } from "../deadline";
import { handleTaken, notFound, unavailable } from "../errors";
import { requireProfile } from "./caller";

/** How long an entitlement change works on taking an exempted account out of its followees' outlooks. */
const OUTLOOK_SYNC_BUDGET_MS = 3_000;
/** What the entitlement change keeps back from its deadline to answer after the sync (shared/deadline.ts). */
const OUTLOOK_SYNC_RESERVE_MS = 1_000;

export interface ProfileInput {
  handle: string;
  displayName: string;
}

/**
 * PUT /me: creates the caller's profile (created: true) or changes its handle and display name. Starts from
 * the account the middleware loaded; only after a lost race does it read the account again.
 */
export async function saveMyProfile(
  caller: Caller & { identity: Identity },
  input: ProfileInput,
  now = new Date(),
): Promise<{ created: boolean; me: Me }> {
  const { identity } = caller;
  let current = caller.account;
  // A few rounds cover the races: a concurrent create by the same caller, or a concurrent handle change.
  for (let round = 0; round < 5; round++) {
    if (round > 0) current = await getAccount(identity.userId);
    try {
      if (!current) {
        const account = await createAccount({
          ...input,
          userId: identity.userId,
          role: identity.role,
          emailClaim: identity.email ?? null,
          now: now.toISOString(),
        });
        return { created: true, me: toMe(account) };
      }
      return { created: false, me: toMe(await updateAccountProfile(current, input)) };
    } catch (error) {
      if (error instanceof HandleTaken) throw handleTaken();
      if (error instanceof AccountAlreadyExists || error instanceof AccountChangedConcurrently) continue;
      throw error;
    }
  }
  throw unavailable(1);
}

export function getMe(caller: Caller): Me {
  if (!caller.account) throw notFound("Your profile");
  return toMe(caller.account);
}

export async function getProfile(userId: string): Promise<Profile> {
  const account = await getAccount(userId);
  if (!account) throw notFound("The user");
  return toProfile(account);
}

export async function getProfileByHandle(handle: string): Promise<Profile> {
  const userId = await findUserIdByHandle(handle);
  const account = userId ? await getAccount(userId) : null;
  if (!account) throw notFound("The handle");
  return toProfile(account);
}

/** PUT /admin/users/{userId}/entitlements; the caller's role was checked by the route (1 UpdateItem). */
export async function setEntitlements(
  caller: Caller,
  userId: string,
  entitlements: Entitlement[],
  now = new Date(),
): Promise<{ userId: string; entitlements: Entitlement[] }> {
  if (!caller.account) {
    // The contract orders 404 before profile_required, so an unknown user wins over a missing profile.
    if (!(await getAccount(userId))) throw notFound("The user");
    requireProfile(caller);
  }
  const stored = await replaceEntitlements(userId, entitlements);
  if (!stored) throw notFound("The user");
  // An entitlement that exempts the account from the cleanup withdraws its notices at once, and takes it out of
  // its followees' outlooks before this answers (contract 1.2: exact at all times).
  if (stored.scheduled && unexpiredEntitlements(stored.entitlements, now).length > 0) {
    if (await withdrawScheduleForExemption(userId, stored.entitlements)) {
      const { syncOutlook } = await import("./outlook");
      // The withdrawal just wrote the target none: the sync reads no account first.
      await syncOutlook(userId, budgetUntil(OUTLOOK_SYNC_BUDGET_MS, OUTLOOK_SYNC_RESERVE_MS), { at: null });
    }
  }
  return { userId, entitlements: stored.entitlements };
}
