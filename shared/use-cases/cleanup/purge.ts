import { commentIndexPage, idempotencyKeysPage } from "../../db/account-deletion-store";
import { getStoredAccountState, type StoredAccountState } from "../../db/account-store";
import { batchDelete } from "../../db/batch";
import { isDeactivation } from "../../db/entities/account";
import { historyKeysOf } from "../../db/follower-history-store";
import {
  finishPurge,
  markPurge,
  purgeableOf,
  purgeComment,
  purgeTogether,
  type PurgeRound,
} from "../../db/second-chance-store";
import { config } from "../../config";
import { unavailable } from "../../errors";
import { dropDormantRelations, type DeletionSteps } from "../account-deletion";

// Purge (contract 1.2, "A second chance"; docs/data-model.md, K24): once a deactivated account's grace has passed, a
// run deletes what it kept, exactly as 1.1 deleted an account, and no count changes (they changed at the
// deactivation). Its handle stays reserved for HANDLE_QUARANTINE. Repeatable after a crash at any write: the pending
// deletion (work: purge) makes any later run finish it; after the mark, the purge is one transaction per round (one
// round for a reader), so a crash leaves each round whole or not begun.

/** How many comments or records one round of the item-by-item purge reads. */
const ROUND = 100;

export type PurgeOutcome = "purged" | "unfinished" | "not-due";

/**
 * Purges a dormant account whose grace has passed (or goes on with a purge begun), from wherever an earlier attempt
 * stopped. `not-due`: it is not dormant past its grace (restored meanwhile, or its grace goes on). `known`: its state
 * as the caller read it in this step, with nothing written to it since (not read again here: the purge's mark is
 * conditioned on it, and the finish's transaction on the purging phase).
 */
export async function purgeAccount(
  userId: string,
  steps: DeletionSteps,
  known?: StoredAccountState | null,
): Promise<PurgeOutcome> {
  const late = () => Date.now() > steps.deadline;
  const state = known ?? (await getStoredAccountState(userId));
  const mark = state?.deletion ?? null;
  if (!state || !isDeactivation(mark)) return "not-due";
  if (mark.phase === "deactivating") return "not-due";
  if (mark.phase === "dormant") {
    if (Date.parse(mark.graceUntil) > steps.now.getTime()) return "not-due";
    const runId = steps.run?.runId ?? "";
    if (!(await markPurge(state, mark, runId, steps.now.toISOString()))) return "not-due";
  }

  const finish = { runId: steps.run?.runId ?? null, quarantineUntil: quarantineEnd(steps.now) };
  // Round by round, what is left goes in one transaction, the finish with the last (a reader's whole purge is one
  // round: its relations, comment and records fit with the finish). The state known or read here has what the finish
  // needs (its handle, its shards): nothing changes them once it is deactivated.
  let after: PurgeRound["next"] = null;
  for (;;) {
    if (late()) return "unfinished";
    const round = await purgeableOf(userId, after);
    const outcome = await purgeTogether(state, round, finish);
    if (outcome === "purged") return "purged";
    if (outcome === "refused") break;
    after = round.next;
  }
  return purgeItemByItem(userId, steps);
}

/** The handle's quarantine for a purge now: until HANDLE_QUARANTINE from now, or none. */
function quarantineEnd(now: Date): Date | null {
  const quarantine = config.HANDLE_QUARANTINE.ms;
  return quarantine > 0 ? new Date(now.getTime() + quarantine) : null;
}

/**
 * The purge one write per item, each tolerating what changed meanwhile (a relation unfollowed or re-homed, a comment
 * deleted): where a round's one transaction was refused.
 */
async function purgeItemByItem(userId: string, steps: DeletionSteps): Promise<PurgeOutcome> {
  const late = () => Date.now() > steps.deadline;
  if (!(await dropDormantRelations(userId, late))) return "unfinished";

  // Comments: the writer kept aside goes for good; then the index entries that named it.
  for (;;) {
    const comments = await commentIndexPage(userId, ROUND);
    if (comments.length === 0) break;
    for (const comment of comments) {
      if (late()) return "unfinished";
      await purgeComment({ postUlid: comment.post.id, commentId: comment.commentId }, userId);
    }
    await batchDelete(comments.map((comment) => comment.key));
  }

  for (const page of [idempotencyKeysPage, historyKeysOf]) {
    for (;;) {
      if (late()) return "unfinished";
      const itemKeys = await page(userId, ROUND);
      if (itemKeys.length === 0) break;
      await batchDelete(itemKeys);
    }
  }

  const until = quarantineEnd(steps.now);
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await getStoredAccountState(userId);
    if (!current) return "purged";
    if (!isDeactivation(current.deletion) || current.deletion.phase !== "purging") return "not-due";
    if (await finishPurge(current, steps.run?.runId ?? null, until)) return "purged";
  }
  throw unavailable(1);
}
