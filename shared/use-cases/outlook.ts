import { getStoredAccountState } from "../db/account-store";
import { getRelation } from "../db/follow-read-store";
import type { RelationState } from "../db/entities/follow";
import {
  dropOutlookSync,
  earliestOutlookEntry,
  finishOutlookSync,
  outlookDue,
  RELATIONS_PER_SYNC_TRANSACTION,
  syncRelationsOutlook,
  type CountTargetsRead,
} from "../db/outlook-store";
import { relationItemsOf } from "../db/dormant-relation-store";
import type { Caller } from "../domain/account";
import { notFound, unavailable } from "../errors";
import type { FollowerOutlook } from "../domain/follow";

// The follower outlook (contract 1.2, "Authors see it coming"; docs/data-model.md): how many of an account's
// followers are under notice and the earliest one of them may be deactivated, kept by the writes that start,
// withdraw and end a schedule. The sync brings every relation an account made to its outlook target.

/** Rounds a sync starts over when the account's target changed under it. */
const SYNC_ROUNDS = 5;
/** Times one transaction of a sync is sent again after relations changed under it, before it gives up (503). */
const TRANSACTION_ATTEMPTS = 10;

/**
 * Brings the outlook entries of every live relation an account made to its target (its `outlookAt`: under notice,
 * or none), then clears its `outlookDirty`, within the deadline. Answers false when the deadline came first (the
 * sync stays due: the owner's next request or the next run goes on). `known`: the account's target as the caller
 * has just written or read it (live, a sync due), which spares the first round's read; every transaction is
 * conditioned on the target, so a target that moved meanwhile only costs a round.
 */
export async function syncOutlook(userId: string, deadline: number, known?: { at: string | null }): Promise<boolean> {
  for (let round = 0; round < SYNC_ROUNDS; round++) {
    let target: string | null;
    if (round === 0 && known) target = known.at;
    else {
      const state = await getStoredAccountState(userId);
      // Gone, or deactivating: its relations leave the outlook as they move (K20); nothing left to sync.
      if (!state || state.deletion || !state.outlook.dirty) {
        await dropOutlookSync(userId);
        return true;
      }
      target = state.outlook.at;
    }
    const outcome = await syncRelations(userId, target, deadline);
    if (outcome !== "target_changed") return outcome === "done";
  }
  throw unavailable(1);
}

/**
 * One round of a sync to `target`: the account's relations read (one Query per 1 MB), those not at the target
 * brought to it RELATIONS_PER_SYNC_TRANSACTION to a transaction, the sync's end in the last one (or alone when none
 * is due). A relation refused (changed meanwhile) is read again and its transaction sent again without it or with
 * its new state; the end goes only with a transaction that follows every other one done.
 */
async function syncRelations(
  userId: string,
  target: string | null,
  deadline: number,
): Promise<"done" | "deadline" | "target_changed"> {
  const due: RelationState[] = [];
  for await (const page of relationItemsOf(userId)) due.push(...page.filter((state) => outlookDue(state, target)));
  if (due.length === 0) return (await finishOutlookSync(userId, target)) ? "done" : "target_changed";
  const countTargets: CountTargetsRead = new Map();
  for (let from = 0; from < due.length; from += RELATIONS_PER_SYNC_TRANSACTION) {
    const last = from + RELATIONS_PER_SYNC_TRANSACTION >= due.length;
    let states = due.slice(from, from + RELATIONS_PER_SYNC_TRANSACTION);
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > deadline) return "deadline";
      if (states.length === 0) {
        if (last && !(await finishOutlookSync(userId, target))) return "target_changed";
        break;
      }
      const outcome = await syncRelationsOutlook(userId, states, target, last, countTargets);
      if (outcome === "synced") break;
      if (outcome === "target_changed") return outcome;
      if (attempt >= TRANSACTION_ATTEMPTS) throw unavailable(1);
      // Those refused are read again: gone, dormant or at the target now, they leave the transaction.
      const again = await Promise.all(
        outcome.changed.map(({ relation }) => getRelation(relation.followerId, relation.followeeId)),
      );
      const refused = new Set(outcome.changed);
      states = [
        ...states.filter((state) => !refused.has(state)),
        ...again.filter((state): state is RelationState => state !== null && outlookDue(state, target)),
      ];
    }
  }
  return "done";
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
