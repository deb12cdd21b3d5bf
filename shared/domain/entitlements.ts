export type Entitlement =
  | { tier: "plus"; validUntil?: string }
  | { tier: "ultimate"; validUntil?: string }
  | { tier: "select"; authorId: string; validUntil?: string };

/** An entitlement whose `validUntil` has passed counts as absent in every access decision. */
export function isUnexpired(entitlement: Entitlement, now: Date): boolean {
  return entitlement.validUntil === undefined || Date.parse(entitlement.validUntil) > now.getTime();
}

export function unexpiredEntitlements(entitlements: readonly Entitlement[], now: Date): Entitlement[] {
  return entitlements.filter((entitlement) => isUnexpired(entitlement, now));
}
