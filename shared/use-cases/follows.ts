import * as z from "zod/mini";
import { getProfileNames } from "../db/account-batch-reader";
import { config } from "../config";
import { accountExists, getAccount, getStoredAccountState } from "../db/account-store";
import { createFollowerCountShards } from "../db/follower-count-store";
import { dropDormantRelation } from "../db/second-chance-store";
import {
  createFollow,
  deleteFollow,
  getFollow,
  getRelation,
  listFollowers,
  listFollowing,
  type FollowWriteOutcome,
  type RelationPage,
} from "../db/follow-store";
import type { Account, Caller, Identity } from "../domain/account";
import {
  isSelfFollow,
  needsFollowerCountShards,
  type FollowListEntry,
  type FollowRelation,
  type FollowState,
} from "../domain/follow";
import { cannotFollowSelf, notFound, profileRequired, unavailable } from "../errors";
import { ulid } from "../ids";
import { recordBusinessMetric } from "../metrics";
import { decodeCursor, encodeCursor } from "../pagination";
import type { ListQuery } from "../schemas/common";
import { settleDormantRelation } from "./cleanup/restore";

const userNotFound = () => notFound("The user");

/**
 * The caller's account for a follow write. The contract answers 404 before `profile_required`, so a caller
 * without a profile first learns whether the user exists; with a profile, the transaction itself tells.
 */
async function followerAccount(caller: Caller, userId: string): Promise<Account> {
  if (caller.account) return caller.account;
  if (!(await accountExists(userId))) throw userNotFound();
  throw profileRequired();
}

/**
 * The answer after a write: the follower count read back, so it is exact at that moment and includes the write. A
 * follow that finds its followee in need of follower-count shards (an author, or a count at the threshold) creates
 * them: once per account, and the count read back stays exact (no count moves).
 */
async function stateAfter(outcome: FollowWriteOutcome, userId: string, following: boolean): Promise<FollowState> {
  if (outcome === "followee_missing") throw userNotFound();
  if (outcome === "follower_missing") throw profileRequired();
  const followee = await getStoredAccountState(userId);
  if (!followee || followee.deletion) throw userNotFound();
  const { account } = followee;
  if (
    following &&
    outcome === "done" &&
    needsFollowerCountShards(account, followee.followerCountShards, config.FOLLOWER_COUNT_SHARD_THRESHOLD)
  )
    await createFollowerCountShards(userId);
  return { following, followerCount: account.followerCount };
}

/** PUT /users/{userId}/follow: idempotent; repeating it changes nothing and answers the current count. */
export async function follow(
  identity: Identity,
  caller: Caller,
  userId: string,
  now = new Date(),
): Promise<FollowState> {
  if (isSelfFollow(identity.userId, userId)) throw cannotFollowSelf();
  const follower = await followerAccount(caller, userId);
  for (let round = 0; round < 3; round++) {
    const outcome = await createFollow({
      followerId: follower.userId,
      followeeId: userId,
      followId: ulid(now.getTime()),
      followedAt: now.toISOString(),
    });
    if (outcome === "done") recordBusinessMetric("FollowsStarted");
    if (outcome !== "dormant") return stateAfter(outcome, userId, true);
    // The pair's relation is dormant: its holder (the followee, whose restore is under way) gets it back now, as its
    // restore would, with its first follow time; then it is followed.
    const relation = await getRelation(follower.userId, userId);
    if (relation?.dormantUnder) await settleDormantRelation(relation.relation, relation.dormantUnder, null);
  }
  throw unavailable(1);
}

/** DELETE /users/{userId}/follow: idempotent like the follow. */
export async function unfollow(identity: Identity, caller: Caller, userId: string): Promise<FollowState> {
  if (isSelfFollow(identity.userId, userId)) throw cannotFollowSelf();
  const follower = await followerAccount(caller, userId);
  // A relation replaced meanwhile (an unfollow and a follow raced with this one) is read again.
  for (let round = 0; round < 5; round++) {
    const stored = await getRelation(follower.userId, userId);
    if (stored?.dormantUnder) {
      // Dormant under the followee: while it is being restored, the unfollow drops it (it is counted nowhere) so
      // the restore does not bring it back; while it is deactivated, it is as absent as its account (404).
      const holder = await getAccount(stored.dormantUnder);
      if (holder) await dropDormantRelation(stored.relation, stored.dormantUnder);
      return stateAfter("unchanged", userId, false);
    }
    const relation = stored?.relation ?? null;
    if (!relation) return stateAfter("unchanged", userId, false);
    const outcome = await deleteFollow(relation, [], stored?.outlookAt ?? null);
    if (outcome === "done") recordBusinessMetric("FollowsEnded");
    if (outcome !== "unchanged") return stateAfter(outcome, userId, false);
  }
  throw unavailable(1);
}

/** GET /users/{userId}/follow: does the caller follow that user (a caller without a profile follows no one). */
export async function followStatus(identity: Identity, userId: string): Promise<{ following: boolean }> {
  if (await getFollow(identity.userId, userId)) return { following: true };
  if (!(await accountExists(userId))) throw userNotFound();
  return { following: false };
}

export interface FollowListPage {
  items: FollowListEntry[];
  nextCursor: string | null;
}

const positionSchema = z.strictObject({ followId: z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/)) });

type PageReader = (userId: string, limit: number, after?: string) => Promise<RelationPage>;

/**
 * A page of a follow list, newest first: the user's existence and the page's rows are read in parallel, then the
 * other accounts' current handles and display names with one BatchGetItem (names are never copied into rows).
 * A row whose account is being deleted right now is left out.
 */
async function followListPage(
  list: "followers" | "following",
  userId: string,
  query: ListQuery,
  readPage: PageReader,
  otherOf: (relation: FollowRelation) => string,
): Promise<FollowListPage> {
  const scope = `${list}:${userId}`;
  const after = query.cursor === undefined ? undefined : decodeCursor(scope, query.cursor, positionSchema).followId;
  const [exists, page] = await Promise.all([accountExists(userId), readPage(userId, query.limit, after)]);
  if (!exists) throw userNotFound();
  const names = await getProfileNames(page.relations.map(otherOf));
  const items = page.relations.flatMap((relation) => {
    const name = names.get(otherOf(relation));
    return name ? [{ ...name, followedAt: relation.followedAt }] : [];
  });
  return { items, nextCursor: page.next === null ? null : encodeCursor(scope, { followId: page.next }) };
}

/** GET /users/{userId}/followers */
export function followersOf(userId: string, query: ListQuery): Promise<FollowListPage> {
  return followListPage("followers", userId, query, listFollowers, (relation) => relation.followerId);
}

/** GET /users/{userId}/following */
export function followingOf(userId: string, query: ListQuery): Promise<FollowListPage> {
  return followListPage("following", userId, query, listFollowing, (relation) => relation.followeeId);
}
