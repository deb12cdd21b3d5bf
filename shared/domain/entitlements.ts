import type { Entitlement } from "../schemas/accounts";

export type { Entitlement };

/** An entitlement whose `validUntil` has passed counts as absent in every access decision. */
export function isUnexpired(entitlement: Entitlement, now: Date): boolean {
  return entitlement.validUntil === undefined || Date.parse(entitlement.validUntil) > now.getTime();
}

export function unexpiredEntitlements(entitlements: readonly Entitlement[], now: Date): Entitlement[] {
  return entitlements.filter((entitlement) => isUnexpired(entitlement, now));
}
