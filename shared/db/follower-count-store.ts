import { config } from "../config";
import { getStoredAccountState, LIVE_ACCOUNT_CONDITION, type StoredAccountState } from "./account-store";
import { keys } from "./keys";
import { ADD_COUNT_VERSION, atCountVersion } from "./count-version";
import { toFollowerCountShardItem } from "./entities/follower-count-shard";
import {
  learnFollowerCountTargets,
  pickFollowerCountTarget,
  targetsOf,
  type FollowerCountTarget,
} from "./follower-count-targets";
import { checkOf, putOf, unlessCancelled, updateOf, type TransactItem, type TransactItems } from "./transactions";

// The writes that move follower and following counts: each is one item of the transaction of the relation it
// counts (follow-store.ts, the cleanup's recount). A hot account's follower count is spread over shard items so that
// concurrent follows of it do not conflict on one item; an account gets them when it needs them (docs/data-model.md,
// "Hot authors").

export { pickFollowerCountTarget, type FollowerCountTarget };

/**
 * The targets an existing account really has (its shards, else its profile), or null when there is no account:
 * what a write whose target was missing chooses from instead. One Query (which the memo learns from). An account
 * being deleted still has its items: an unfollow may take from them, a follow's condition refuses.
 */
export async function existingFollowerCountTargets(userId: string): Promise<FollowerCountTarget[] | null> {
  const state = await getStoredAccountState(userId);
  return state
    ? targetsOf(
        userId,
        state.shardCounts.map(({ shard }) => shard),
      )
    : null;
}

/**
 * Gives a live account without shards its `shards` follower-count shard items, in one transaction: each shard put at
 * 0 (only if absent), and the profile's `followerCountShards` set (only while it is live and has none: it happens
 * once, and never to an account whose deletion began, whose mark lists the shards it read). No count moves: the
 * profile keeps its count as the base the shards add to, so a follow or unfollow on either side of it stays exact.
 * The profile's count version grows: a recount that read the account before it (without these shards) is refused
 * and reads again. Answers whether it created them (false: it had shards already, or is gone or being deleted).
 */
export async function createFollowerCountShards(
  userId: string,
  shards = config.FOLLOWER_COUNT_SHARDS,
): Promise<boolean> {
  if (shards === 0) return false;
  const created = await unlessCancelled([
    updateOf(keys.account(userId), {
      UpdateExpression: `SET followerCountShards = :shards ADD ${ADD_COUNT_VERSION}`,
      ConditionExpression: `${LIVE_ACCOUNT_CONDITION} AND (attribute_not_exists(followerCountShards) OR followerCountShards = :none)`,
      ExpressionAttributeValues: { ":shards": shards, ":none": 0, ":one": 1 },
    }),
    ...Array.from({ length: shards }, (_, shard) =>
      putOf(toFollowerCountShardItem(userId, shard), { ConditionExpression: "attribute_not_exists(pk)" }),
    ),
  ]);
  if (created)
    learnFollowerCountTargets(
      userId,
      Array.from({ length: shards }, (_, shard) => shard),
    );
  return created;
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

/** One relation's departure from both counts, as `followerCountChange` and `followingCountChange` of -1 write it. */
export interface CountDeparture {
  /** The followee's target, its outlook count with it when the follower is under notice. */
  follower: { target: FollowerCountTarget; underNotice: boolean; also?: AlsoCondition };
  /** The follower's profile. */
  following: { userId: string; also?: AlsoCondition };
}

/** More for one profile in the same Update (a deactivation's finish: its phase, on condition of it). */
export interface ProfileExtra {
  userId: string;
  set: string;
  condition: AlsoCondition;
}

/** A merged count item, with the departures it counts and the account it belongs to. */
export interface MergedCountItem {
  item: TransactItem;
  userId: string;
  kind: "profile" | "shard";
  departures: number[];
}

/**
 * The count items of several relations leaving in one transaction, merged per item: a transaction may not touch an
 * item twice, so the departures that move one item (an account's following count and its own follower count on its
 * profile, several relations' follower counts on one target) become one Update that ADDs their sum, grows its count
 * version once and holds every condition theirs held (each `attribute_exists(pk)` and its `also`): the same writes
 * and conditions as one transaction per relation, at one instant. `extra` joins the Update of its profile (and is
 * written even when no count of that profile moves).
 */
export function mergedCountDepartures(departures: readonly CountDeparture[], extra?: ProfileExtra): MergedCountItem[] {
  interface Merged {
    userId: string;
    shard: number | null;
    follower: number;
    following: number;
    underNotice: number;
    also: Map<string, AlsoCondition>;
    departures: number[];
  }
  const merged = new Map<string, Merged>();
  const at = (userId: string, shard: number | null) => {
    const id = `${userId}\u0000${shard ?? "profile"}`;
    let entry = merged.get(id);
    if (!entry) {
      entry = { userId, shard, follower: 0, following: 0, underNotice: 0, also: new Map(), departures: [] };
      merged.set(id, entry);
    }
    return entry;
  };
  const record = (entry: Merged, index: number, also: AlsoCondition | undefined) => {
    if (also) entry.also.set(also.expression, also);
    if (!entry.departures.includes(index)) entry.departures.push(index);
  };
  departures.forEach(({ follower, following }, index) => {
    const target = at(follower.target.userId, follower.target.kind === "shard" ? follower.target.shard : null);
    target.follower -= 1;
    if (follower.underNotice) target.underNotice -= 1;
    record(target, index, follower.also);
    const profile = at(following.userId, null);
    profile.following -= 1;
    record(profile, index, following.also);
  });
  if (extra) {
    const profile = at(extra.userId, null);
    profile.also.set(extra.condition.expression, extra.condition);
  }
  return [...merged.values()].map((entry) => {
    const values: Record<string, unknown> = {};
    const adds: string[] = [];
    const add = (attribute: string, placeholder: string, delta: number) => {
      if (delta === 0) return;
      adds.push(`${attribute} ${placeholder}`);
      values[placeholder] = delta;
    };
    const names: Record<string, string> = {};
    if (entry.shard !== null) {
      names["#count"] = "count";
      add("#count", ":followerDelta", entry.follower);
    } else {
      add("followerCount", ":followerDelta", entry.follower);
      add("followingCount", ":followingDelta", entry.following);
    }
    add("underNotice", ":underNoticeDelta", entry.underNotice);
    if (adds.length > 0) {
      adds.push(ADD_COUNT_VERSION);
      values[":one"] = 1;
    }
    const sets = entry.shard === null && extra?.userId === entry.userId ? [extra.set] : [];
    const conditions = ["attribute_exists(pk)"];
    for (const also of entry.also.values()) {
      conditions.push(also.expression);
      Object.assign(values, also.values);
      Object.assign(names, also.names);
    }
    const key = entry.shard === null ? keys.account(entry.userId) : keys.followerCountShard(entry.userId, entry.shard);
    return {
      item: updateOf(key, {
        UpdateExpression: [
          sets.length > 0 ? `SET ${sets.join(", ")}` : "",
          adds.length > 0 ? `ADD ${adds.join(", ")}` : "",
        ]
          .filter(Boolean)
          .join(" "),
        ConditionExpression: conditions.join(" AND "),
        ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      }),
      userId: entry.userId,
      kind: entry.shard === null ? ("profile" as const) : ("shard" as const),
      departures: entry.departures,
    };
  });
}
