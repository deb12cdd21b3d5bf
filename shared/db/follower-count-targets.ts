// Which follower-count items an account has, as this container last read them: a bounded memo (least recently used
// first out) that lets a follow, an unfollow or an outlook move write to a target the account has without a
// cancelled transaction (docs/data-model.md, "Hot authors": "Shards only where they serve"). It is only a hint: the
// profile is a valid target for every account (its count is the base the shards add to), and a shard the account
// does not have is refused by the write's `attribute_exists`, which then reads the account and goes on with what it
// has. So a wrong or stale entry costs a retry, never a wrong count.

/**
 * Where a follow adds one to an account's follower count, or an unfollow takes one away: one of the account's
 * shard items, or the profile item itself.
 */
export type FollowerCountTarget =
  { kind: "shard"; userId: string; shard: number } | { kind: "profile"; userId: string };

/** Accounts remembered per container: a few hundred KB at most. */
const TARGET_MEMO_LIMIT = 5_000;

const shardsOf = new Map<string, readonly number[]>();

/** Remembers the shards an account was read with (none: its profile is its target). */
export function learnFollowerCountTargets(userId: string, shards: readonly number[]): void {
  shardsOf.delete(userId);
  shardsOf.set(userId, shards);
  if (shardsOf.size > TARGET_MEMO_LIMIT) shardsOf.delete(shardsOf.keys().next().value!);
}

/** The targets an account has as last read (its shards, else its profile). */
export function targetsOf(userId: string, shards: readonly number[]): FollowerCountTarget[] {
  return shards.length === 0
    ? [{ kind: "profile", userId }]
    : shards.map((shard) => ({ kind: "shard", userId, shard }));
}

/**
 * The target a write tries first: a shard at random among those the account was last read with, or its profile when
 * it was read without shards or not read here yet (most accounts have none; a hot author's first follow in a fresh
 * container lands on its profile, and the follow's read-back teaches the memo its shards).
 */
export function pickFollowerCountTarget(userId: string): FollowerCountTarget {
  const shards = shardsOf.get(userId);
  if (shards === undefined || shards.length === 0) return { kind: "profile", userId };
  return { kind: "shard", userId, shard: shards[Math.floor(Math.random() * shards.length)]! };
}

/** Forgets every account (tests). */
export function forgetFollowerCountTargets(): void {
  shardsOf.clear();
}
