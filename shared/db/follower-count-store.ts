import { config } from "../config";
import { getStoredAccountState, LIVE_ACCOUNT_CONDITION, type StoredAccountState } from "./account-store";
import { keys } from "./keys";
import { updateOf, type TransactItem, type TransactItems } from "./transactions";

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

/**
 * The transaction item that changes a follower count by `delta`, only while its item exists; a follow (+1) also
 * only while the account's deletion has not begun (the mark is on the profile and every shard), so that no
 * relation can appear after a deletion listed them. An unfollow (-1) may still take one away: the deletion
 * itself does.
 */
export function followerCountChange(target: FollowerCountTarget, delta: 1 | -1): TransactItem {
  const condition = {
    ConditionExpression: delta > 0 ? LIVE_ACCOUNT_CONDITION : "attribute_exists(pk)",
    ExpressionAttributeValues: { ":delta": delta },
  };
  return target.kind === "shard"
    ? updateOf(keys.followerCountShard(target.userId, target.shard), {
        UpdateExpression: "ADD #count :delta",
        ExpressionAttributeNames: { "#count": "count" },
        ...condition,
      })
    : updateOf(keys.account(target.userId), { UpdateExpression: "ADD followerCount :delta", ...condition });
}

/**
 * The transaction item that changes an account's following count by `delta`, only while the account exists (a
 * follow: and is not being deleted).
 */
export function followingCountChange(userId: string, delta: 1 | -1): TransactItem {
  return updateOf(keys.account(userId), {
    UpdateExpression: "ADD followingCount :delta",
    ConditionExpression: delta > 0 ? LIVE_ACCOUNT_CONDITION : "attribute_exists(pk)",
    ExpressionAttributeValues: { ":delta": delta },
  });
}

/**
 * The transaction items that store an account's recounted follower and following counts, guarded by the values
 * the recount read before counting (`state`): the recount goes on the profile and every shard is set to 0, each
 * item only if it still holds what was read, so a follow or unfollow that lands meanwhile cancels the write and
 * the recount is read and counted again. No items when the stored counts already equal the recount.
 */
export function storeRecountItems(state: StoredAccountState, followers: number, following: number): TransactItems {
  const { account } = state;
  if (account.followerCount === followers && account.followingCount === following) return [];
  return [
    updateOf(keys.account(account.userId), {
      UpdateExpression: "SET followerCount = :followers, followingCount = :following",
      ConditionExpression: `${LIVE_ACCOUNT_CONDITION} AND followerCount = :readFollowers AND followingCount = :readFollowing`,
      ExpressionAttributeValues: {
        ":followers": followers,
        ":following": following,
        ":readFollowers": state.profileFollowerCount,
        ":readFollowing": account.followingCount,
      },
    }),
    ...state.shardCounts.map(({ shard, count }) =>
      updateOf(keys.followerCountShard(account.userId, shard), {
        UpdateExpression: "SET #count = :zero",
        ConditionExpression: "#count = :read",
        ExpressionAttributeNames: { "#count": "count" },
        ExpressionAttributeValues: { ":zero": 0, ":read": count },
      }),
    ),
  ];
}
