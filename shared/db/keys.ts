// The one module that spells storage keys. Every key prefix names the entity it holds, so a key read in
// the console tells what it is. docs/data-model.md is the design these builders implement.

export interface ItemKey {
  pk: string;
  sk: string;
}

export const entityTypes = {
  account: "account",
  handle: "handle",
} as const;

export const keys = {
  /** An account's profile, counts, role, entitlements and activity. */
  account: (userId: string): ItemKey => ({ pk: `USER#${userId}`, sk: "PROFILE" }),
  /** Claims a handle (lower-cased) for one account, which makes handles unique case-insensitively. */
  handle: (handle: string): ItemKey => ({ pk: `HANDLE#${handle.toLowerCase()}`, sk: "HANDLE" }),
};

/** Partition of the sparse inactivity index: one per calendar month of `lastActiveAt`. */
export const inactivityPartition = (lastActiveAt: string): string => `ACTIVE#${lastActiveAt.slice(0, 7)}`;
