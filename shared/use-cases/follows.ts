import { config } from "../config";
import { accountExists, getAccount, getStoredAccountState } from "../db/account-store";
import { createFollowerCountShards } from "../db/follower-count-store";
import { dropDormantRelation } from "../db/dormant-relation-store";
import { createFollow, deleteFollow, type FollowWriteOutcome } from "../db/follow-store";
import { getRelation } from "../db/follow-read-store";
import type { Account, Caller, Identity } from "../domain/account";
import { isSelfFollow, needsFollowerCountShards, type FollowState } from "../domain/follow";
import { cannotFollowSelf, notFound, profileRequired, unavailable } from "../errors";
import { ulid } from "../ids";
import { recordBusinessMetric } from "../metrics";

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
    if (relation?.dormantUnder) {
      // Loaded only here (a restore under way): the follow routes' cold start does not carry the restore.
      const { settleDormantRelation } = await import("./cleanup/restore");
      await settleDormantRelation(relation.relation, relation.dormantUnder, null);
    }
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
