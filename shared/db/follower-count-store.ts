import { config } from "../config";
import { getStoredAccountState, LIVE_ACCOUNT_CONDITION, type StoredAccountState } from "./account-store";
import { keys } from "./keys";
import { ADD_COUNT_VERSION, atCountVersion } from "./count-version";
import { checkOf, updateOf, type TransactItem, type TransactItems } from "./transactions";

// The writes that move follower and following counts: each is one item of the transaction of the relation it
// counts (follow-store.ts, the cleanup's recount). A follower count is spread over shard items so that concurrent
// follows of one author do not conflict on one item (docs/data-model.md, "Hot authors").

/**
 * Where a follow adds one to an account's follower count, or an unfollow takes one away: one of the account's
 * shard items, or the profile item itself for an account without shards.
 */
export type FollowerCountTarget =
  { kind: "shard"; userId: string; shard: number } | { kind: "profile"; userId: string };

/** A shard chosen at random among those new accounts get (a write falls back when the account lacks it). */
export function pickFollowerCountTarget(userId: string, shards = config.FOLLOWER_COUNT_SHARDS): FollowerCountTarget {
  return shards > 0
    ? { kind: "shard", userId, shard: Math.floor(Math.random() * shards) }
    : { kind: "profile", userId };
}

/**
 * The targets an existing account really has (its shards, else its profile), or null when there is no account:
 * what a write whose target was missing chooses from instead. One Query. An account being deleted still has its
 * items: an unfollow may take from them, a follow's condition refuses.
 */
export async function existingFollowerCountTargets(userId: string): Promise<FollowerCountTarget[] | null> {
  const state = await getStoredAccountState(userId);
  if (!state) return null;
  return state.shardCounts.length === 0
    ? [{ kind: "profile", userId }]
    : state.shardCounts.map(({ shard }) => ({ kind: "shard", userId, shard }));
}

/** A condition ANDed to a count item's own: the state of an account the transaction depends on. */
export interface AlsoCondition {
  expression: string;
  values?: Record<string, unknown>;
  names?: Record<string, string>;
}

/** What a count write may do besides its count (docs/data-model.md, "A second chance" and "the follower outlook"). */
export interface CountChangeOptions {
  /** The relation's follower is under notice: the followee's outlook count moves with it, on the same item. */
  underNotice?: boolean;
  /** A further condition on the same item (a deactivation's mark, a restore's state, an account's age). */
  also?: AlsoCondition;
}

function withAlso(
  condition: string,
  values: Record<string, unknown>,
  names: Record<string, string> | undefined,
  also: AlsoCondition | undefined,
) {
  const allNames = { ...names, ...also?.names };
  return {
    ConditionExpression: also ? `${condition} AND ${also.expression}` : condition,
    ExpressionAttributeValues: { ...values, ...also?.values },
    ...(Object.keys(allNames).length > 0 ? { ExpressionAttributeNames: allNames } : {}),
  };
}

/**
 * The transaction item that changes a follower count by `delta`, only while its item exists; a follow (+1) also
 * only while the account's deletion has not begun (the mark is on the profile and every shard), so that no
 * relation can appear after a deletion listed them. An unfollow (-1) may still take one away: the deletion
 * itself does. Either way the item's count version grows (count-version.ts). With `underNotice`, the outlook count
 * of the same item moves by `delta` too.
 */
export function followerCountChange(
  target: FollowerCountTarget,
  delta: 1 | -1,
  options: CountChangeOptions = {},
): TransactItem {
  const outlook = options.underNotice ? ", underNotice :delta" : "";
  const condition = (names?: Record<string, string>) =>
    withAlso(
      delta > 0 ? LIVE_ACCOUNT_CONDITION : "attribute_exists(pk)",
      { ":delta": delta, ":one": 1 },
      names,
      options.also,
    );
  return target.kind === "shard"
    ? updateOf(keys.followerCountShard(target.userId, target.shard), {
        UpdateExpression: `ADD #count :delta, ${ADD_COUNT_VERSION}${outlook}`,
        ...condition({ "#count": "count" }),
      })
    : updateOf(keys.account(target.userId), {
        UpdateExpression: `ADD followerCount :delta, ${ADD_COUNT_VERSION}${outlook}`,
        ...condition(),
      });
}

/**
 * The transaction item that changes an account's following count by `delta` (and its profile's count version),
 * only while the account exists (a follow: and is not being deleted), and `also` holds of it.
 */
export function followingCountChange(userId: string, delta: 1 | -1, also?: AlsoCondition): TransactItem {
  return updateOf(keys.account(userId), {
    UpdateExpression: `ADD followingCount :delta, ${ADD_COUNT_VERSION}`,
    ...withAlso(
      delta > 0 ? LIVE_ACCOUNT_CONDITION : "attribute_exists(pk)",
      { ":delta": delta, ":one": 1 },
      undefined,
      also,
    ),
  });
}

/** The profile still is the live account that was read (not deleted and created again meanwhile). */
function sameLiveProfile(state: StoredAccountState) {
  return {
    ConditionExpression: `${LIVE_ACCOUNT_CONDITION} AND createdAt = :readCreatedAt`,
    ExpressionAttributeValues: { ":readCreatedAt": state.account.createdAt },
  };
}

/**
 * The transaction items of a recount of an account's follower and following counts, guarded by the count versions
 * the recount read before counting (`state`; count-version.ts). When the stored counts differ from the recount,
 * the recount goes on the profile and every shard is set to 0, each item only if its version is still the one read
 * (and each version grows). When they equal it, no count is written, but the items written beside it (`alongside`:
 * a run's count change, a history point, the end of a touch) come with a ConditionCheck of every item's version, so
 * they are written only if the counts read and the relations counted were true at one instant. A follow or
 * unfollow landing between the read and the write, however many and in whatever order, cancels the transaction and
 * the recount is read and counted again. No items when there is nothing to write.
 */
export function recountItems(
  state: StoredAccountState,
  followers: number,
  following: number,
  alongside: TransactItems,
): TransactItems {
  const { account } = state;
  const profile = keys.account(account.userId);
  const shard = (n: number) => keys.followerCountShard(account.userId, n);
  if (account.followerCount === followers && account.followingCount === following) {
    if (alongside.length === 0) return [];
    return [
      checkOf(profile, atCountVersion(state.profileCountVersion, sameLiveProfile(state))),
      ...state.shardCounts.map(({ shard: n, countVersion }) => checkOf(shard(n), atCountVersion(countVersion))),
      ...alongside,
    ];
  }
  const one = { ":one": 1 };
  const guarded = atCountVersion(state.profileCountVersion, sameLiveProfile(state));
  return [
    updateOf(profile, {
      UpdateExpression: `SET followerCount = :followers, followingCount = :following ADD ${ADD_COUNT_VERSION}`,
      ...guarded,
      ExpressionAttributeValues: {
        ...guarded.ExpressionAttributeValues,
        ...one,
        ":followers": followers,
        ":following": following,
      },
    }),
    ...state.shardCounts.map(({ shard: n, countVersion }) => {
      const condition = atCountVersion(countVersion);
      return updateOf(shard(n), {
        UpdateExpression: `SET #count = :zero ADD ${ADD_COUNT_VERSION}`,
        ExpressionAttributeNames: { "#count": "count" },
        ...condition,
        ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ...one, ":zero": 0 },
      });
    }),
    ...alongside,
  ];
}
