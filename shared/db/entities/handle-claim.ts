// A handle claim (`HANDLE#<lower-case handle>`, `HANDLE`): it makes handles unique case-insensitively. A purged
// account's claim stays as a quarantine (`quarantinedUntil`, HANDLE_QUARANTINE): nobody else may claim the handle
// before then, and no lookup finds it (docs/data-model.md, "A second chance").
import { attributesOf, isEntity, type RawItem } from "../attributes";
import { entityTypes, keys, type ItemKey } from "../keys";

export interface HandleClaimItem extends ItemKey {
  entityType: typeof entityTypes.handle;
  userId: string;
  /** A purged account's handle: reserved until then for that account alone (absent: an account holds it). */
  quarantinedUntil?: string;
  /** TTL (epoch seconds) of a quarantine: the claim goes once it has expired. */
  expiresAt?: number;
}

export function toHandleClaimItem(handle: string, userId: string): HandleClaimItem {
  return { ...keys.handle(handle), entityType: entityTypes.handle, userId };
}

/** The quarantine a purged account's claim becomes. */
export function toQuarantinedClaimItem(handle: string, userId: string, until: Date): HandleClaimItem {
  return {
    ...keys.handle(handle),
    entityType: entityTypes.handle,
    userId,
    quarantinedUntil: until.toISOString(),
    expiresAt: Math.ceil(until.getTime() / 1000),
  };
}

/** The account that holds a claim; null when the item is not a claim, or is a quarantine (no account holds it). */
export function fromHandleClaimItem(item: RawItem | undefined): string | null {
  if (!isEntity(item, entityTypes.handle)) return null;
  const attributes = attributesOf(item, entityTypes.handle);
  return attributes.has("quarantinedUntil") ? null : attributes.string("userId");
}

/** A claim as stored, quarantine included (the audit's view). */
export function readHandleClaim(item: RawItem): { userId: string; quarantinedUntil: string | null } {
  const attributes = attributesOf(item, entityTypes.handle);
  return {
    userId: attributes.string("userId"),
    quarantinedUntil: attributes.optionalString("quarantinedUntil") ?? null,
  };
}
