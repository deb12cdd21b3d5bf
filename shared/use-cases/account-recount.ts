import { getStoredAccountState } from "../db/account-store";
import { countFollowers, countFollowing } from "../db/follow-read-store";
import { recountItems } from "../db/follower-count-store";
import { untilDone, type RetryBudget } from "../db/retry";
import { transactWrite, TransactionCancelled, type TransactItems } from "../db/transactions";

// The one recount of an account's follower and following counts from its relations, used by the cleanup (every
// account its deletions touched) and by the operator's audit (`npm run audit -- --fix`, every account it found
// drifted). docs/data-model.md, "The count guard", "For the cleanup (recount)" and K11.

/** An account's counts as stored before the recount, and as counted from its relations. */
export interface AccountRecount {
  userId: string;
  stored: { followers: number; following: number };
  counted: { followers: number; following: number };
}

/**
 * Rounds of read, count and conditional write before the recount gives up (503), with the one backoff between
 * them: follows and unfollows of the account kept landing between its read and its write. About ten seconds.
 */
export const RECOUNT_BUDGET: RetryBudget = { attempts: 20, baseDelayMs: 10, maxDelayMs: 1_000 };

/**
 * Counts an account's relations again (two strongly consistent `Select: COUNT` Queries) and stores the counts in
 * one transaction guarded by the count versions read before counting (recountItems): a follow or unfollow landing
 * meanwhile, even a +1 and a -1 that leave the count as it was, cancels it, and the account is read and counted
 * again. `alongside` names the items that join the same transaction (a run's count change, a history point, the
 * end of a touch), written only with counts that were true at one instant; it is given null when the account is
 * gone or being deleted, which has no counts to store. Answers the recount (null: no live account).
 */
export function recountAccount(
  userId: string,
  alongside: (recount: AccountRecount | null) => TransactItems,
  budget = RECOUNT_BUDGET,
): Promise<AccountRecount | null> {
  return untilDone(async () => {
    const state = await getStoredAccountState(userId);
    if (!state || state.deletion) {
      const items = alongside(null);
      if (items.length > 0) await transactWrite(items);
      return null;
    }
    const [followers, following] = await Promise.all([countFollowers(userId), countFollowing(userId)]);
    const recount: AccountRecount = {
      userId,
      stored: { followers: state.account.followerCount, following: state.account.followingCount },
      counted: { followers, following },
    };
    const items = recountItems(state, followers, following, alongside(recount));
    try {
      if (items.length > 0) await transactWrite(items);
      return recount;
    } catch (error) {
      // A follow or unfollow landed between the read and the write: read and count again.
      if (!(error instanceof TransactionCancelled)) throw error;
      return undefined;
    }
  }, budget);
}
