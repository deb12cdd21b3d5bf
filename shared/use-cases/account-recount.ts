import { getStoredAccountState } from "../db/account-store";
import { countFollowers, countFollowing } from "../db/follow-store";
import { storeRecountItems } from "../db/follower-count-store";
import { transactWrite, TransactionCancelled, type TransactItems } from "../db/transactions";
import { unavailable } from "../errors";

// The one recount of an account's follower and following counts from its relations, used by the cleanup (every
// account its deletions touched) and by the operator's audit (`npm run audit -- --fix`, every account it found
// drifted). docs/data-model.md, "For the cleanup (recount)" and K11.

/** An account's counts as stored before the recount, and as counted from its relations. */
export interface AccountRecount {
  userId: string;
  stored: { followers: number; following: number };
  counted: { followers: number; following: number };
}

/** Rounds of read, count and conditional write before the recount gives up (503): follows kept landing between. */
const RECOUNT_ROUNDS = 10;

/**
 * Counts an account's relations again (two strongly consistent `Select: COUNT` Queries) and stores the counts
 * in one transaction guarded by the values read (storeRecountItems): a follow or unfollow landing meanwhile
 * cancels it, and the account is read and counted again. `alongside` names the items that join the same
 * transaction (a run's count change, a history point, the end of a touch); it is given null when the account is
 * gone or being deleted, which has no counts to store. Answers the recount (null: no live account).
 */
export async function recountAccount(
  userId: string,
  alongside: (recount: AccountRecount | null) => TransactItems,
): Promise<AccountRecount | null> {
  for (let round = 0; round < RECOUNT_ROUNDS; round++) {
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
    const items = [...storeRecountItems(state, followers, following), ...alongside(recount)];
    try {
      if (items.length > 0) await transactWrite(items);
      return recount;
    } catch (error) {
      // A follow or unfollow landed between the read and the write: read and count again.
      if (!(error instanceof TransactionCancelled)) throw error;
    }
  }
  throw unavailable(1);
}
