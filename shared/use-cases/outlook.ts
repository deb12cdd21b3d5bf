import { getStoredAccountState } from "../db/account-store";
import { getRelation } from "../db/follow-read-store";
import { dropOutlookSync, earliestOutlookEntry, finishOutlookSync, syncRelationOutlook } from "../db/outlook-store";
import { relationItemsOf } from "../db/second-chance-store";
import type { Caller } from "../domain/account";
import { notFound, unavailable } from "../errors";
import type { FollowerOutlook } from "../domain/follow";

// The follower outlook (contract 1.2, "Authors see it coming"; docs/data-model.md): how many of an account's
// followers are under notice and the earliest one of them may be deactivated, kept by the writes that start,
// withdraw and end a schedule. The sync brings every relation an account made to its outlook target.

/** Rounds a sync starts over when the account's target changed under it. */
const SYNC_ROUNDS = 5;

/**
 * Brings the outlook entries of every live relation an account made to its target (its `outlookAt`: under notice,
 * or none), then clears its `outlookDirty`, within the deadline. Answers false when the deadline came first (the
 * sync stays due: the owner's next request or the next run goes on).
 */
export async function syncOutlook(userId: string, deadline: number): Promise<boolean> {
  for (let round = 0; round < SYNC_ROUNDS; round++) {
    const state = await getStoredAccountState(userId);
    // Gone, or deactivating: its relations leave the outlook as they move (K20); nothing left to sync.
    if (!state || state.deletion) {
      await dropOutlookSync(userId);
      return true;
    }
    if (!state.outlook.dirty) {
      await dropOutlookSync(userId);
      return true;
    }
    const target = state.outlook.at;
    let targetMoved = false;
    outer: for await (const page of relationItemsOf(userId)) {
      for (let relation of page) {
        for (let attempt = 0; ; attempt++) {
          if (relation.dormantUnder !== null || relation.outlookAt === target) break;
          if (Date.now() > deadline) return false;
          if ((await syncRelationOutlook(relation, target)) === "synced") break;
          // The relation or the account changed: read the relation again, and the target if it moved.
          const again = await getRelation(relation.relation.followerId, relation.relation.followeeId);
          if (!again) break;
          relation = again;
          if (attempt >= 2) {
            const current = await getStoredAccountState(userId);
            if (current?.outlook.at !== target || current.deletion) {
              targetMoved = true;
              break outer;
            }
          }
          if (attempt > 10) throw unavailable(1);
        }
      }
    }
    if (!targetMoved && (await finishOutlookSync(userId, target))) return true;
  }
  throw unavailable(1);
}

/**
 * GET /me/follower-outlook: the caller's follower count, how many of its followers are under notice (the shards'
 * `underNotice`, read with the caller's account), and the earliest possible deactivation among them (the first
 * entry of its outlook): 2 requests whatever the number of followers. 404 before `PUT /me`.
 */
export async function followerOutlookOf(caller: Caller): Promise<FollowerOutlook> {
  if (!caller.account) throw notFound("Your profile");
  let account = caller.account;
  for (let round = 0; round < 3; round++) {
    const earliest = await earliestOutlookEntry(account.userId);
    const underNotice = account.followersUnderNotice ?? 0;
    // The two reads agree (both none, or both some): the answer. A change landed between them: read both again.
    if (underNotice > 0 === (earliest !== null)) {
      return {
        followerCount: account.followerCount,
        followersUnderNotice: underNotice,
        earliestDeactivation: earliest,
      };
    }
    const again = await getStoredAccountState(account.userId);
    if (!again || again.deletion) throw notFound("Your profile");
    account = again.account;
  }
  throw unavailable(1);
}
