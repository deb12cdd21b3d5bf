import type { Account } from "../domain/account";
import type { FeedAuthor } from "../domain/feed";
import { batchGet } from "./batch";
import { fromAccountItem, postBounds, profileNames, type ProfileName } from "./entities/account";
import { fromFollowerCountShardItem } from "./entities/follower-count-shard";
import { keys } from "./keys";

// Reads of many accounts at once, each one strongly consistent BatchGetItem per 100 keys (unprocessed keys asked
// for again): whole accounts with their exact counts (A10), their names for a list page (A9), their newest-post
// bounds for the feed (FD2). docs/data-model.md, "account".

export type { ProfileName };

const profileKeys = (userIds: readonly string[]) => userIds.map((userId) => keys.account(userId));

/**
 * Reads accounts, exact follower counts included: one BatchGetItem per 100 profiles, then one per 100 of their
 * follower-count shards. Accounts being deleted are left out. Lists that show only names use getProfileNames.
 */
export async function getAccounts(userIds: readonly string[]): Promise<Map<string, Account>> {
  const profiles = (await batchGet(profileKeys(userIds), fromAccountItem)).filter((profile) => !profile.deletion);
  const shardKeys = profiles.flatMap(({ account, followerCountShards }) =>
    Array.from({ length: followerCountShards }, (_, shard) => keys.followerCountShard(account.userId, shard)),
  );
  const shardTotals = new Map<string, number>();
  for (const shard of await batchGet(shardKeys, fromFollowerCountShardItem)) {
    shardTotals.set(shard.userId, (shardTotals.get(shard.userId) ?? 0) + shard.count);
  }
  return new Map(
    profiles.map(({ account }) => [
      account.userId,
      { ...account, followerCount: account.followerCount + (shardTotals.get(account.userId) ?? 0) },
    ]),
  );
}

/** The current handle and display name of accounts (one BatchGetItem per 100, only those attributes). */
export async function getProfileNames(userIds: readonly string[]): Promise<Map<string, ProfileName>> {
  const names = await batchGet(profileKeys(userIds), profileNames.read, profileNames.projection);
  return new Map(names.map((name) => [name.userId, name]));
}

/**
 * What the feed needs of each author (getPostBounds): the newest post's ULID and the visible post count, from
 * the profile items (one strongly consistent BatchGetItem per 100, only those attributes). Accounts that do not
 * exist are left out.
 */
export function getPostBounds(userIds: readonly string[]): Promise<Omit<FeedAuthor, "followedAt">[]> {
  return batchGet(profileKeys(userIds), postBounds.read, postBounds.projection);
}
