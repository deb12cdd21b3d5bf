// A handle claim (`HANDLE#<lower-case handle>`, `HANDLE`): it makes handles unique case-insensitively.
import { attributesOf, isEntity, type RawItem } from "../attributes";
import { entityTypes, keys, type ItemKey } from "../keys";

export interface HandleClaimItem extends ItemKey {
  entityType: typeof entityTypes.handle;
  userId: string;
}

export function toHandleClaimItem(handle: string, userId: string): HandleClaimItem {
  return { ...keys.handle(handle), entityType: entityTypes.handle, userId };
}

/** The account that holds a claim; null when the item is not a claim. */
export function fromHandleClaimItem(item: RawItem | undefined): string | null {
  return isEntity(item, entityTypes.handle) ? attributesOf(item, entityTypes.handle).string("userId") : null;
}
