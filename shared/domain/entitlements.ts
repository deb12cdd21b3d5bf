/**
 * A subscription: `plus` (Plus posts), `ultimate` (everything), or `select` of one author (that author's Select
 * posts). `validUntil`: when it ends (ISO-8601 UTC with milliseconds); absent, it does not.
 */
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
