import { countCommentIndexEntries } from "../../db/account-deletion-store";
import { getStoredAccountState } from "../../db/account-store";
import { dryEdgeItems, recordWouldDelete } from "../../db/dry-run-store";
import { allFollowers, allFollowing } from "../../db/follow-read-store";
import { tally } from "../../db/notice-store";
import { recordTouched } from "../../db/touched-account-store";
import { transactWrite } from "../../db/transactions";
import type { RunTicket } from "../../domain/cleanup";
import { decide } from "./notify";

/**
 * Dry run: what processing the candidate would do, written only to the run's own (expiring) items: the notice it
 * would record or the deletion it would defer, or whether the account would be deleted, its relations, the
 * followers others would lose, its comments. It sends nothing.
 */
export async function dryRunCandidate(run: RunTicket, userId: string, now: Date): Promise<"done"> {
  const state = await getStoredAccountState(userId);
  if (!state) return "done";
  if (!state.deletion) {
    let decision = decide(state, state.notices, run, now);
    if (decision.action === "withdraw") decision = decide(state, [], run, now);
    const notice = decision.action === "notify";
    const deferred = "deletionDeferred" in decision && decision.deletionDeferred;
    if (notice || deferred) {
      await tally(
        run.runId,
        userId,
        { ...(notice ? { notice: true } : {}), ...(deferred ? { deferred: true } : {}) },
        now,
      );
    }
    if (decision.action !== "delete") return "done";
  }
  const touched = new Set<string>();
  for await (const page of allFollowing(userId)) {
    for (const relation of page) {
      if (!touched.has(relation.followeeId)) {
        touched.add(relation.followeeId);
        const followee = await getStoredAccountState(relation.followeeId);
        if (followee && !followee.deletion) {
          const { followerCount, followingCount } = followee.account;
          await recordTouched(
            { userId: relation.followeeId, followerBefore: followerCount, followingBefore: followingCount },
            { dryRun: run.runId },
            now,
          );
        }
      }
      await transactWrite(
        dryEdgeItems(run.runId, relation.followId, { userId: relation.followeeId, followerId: userId }, now),
      );
    }
  }
  for await (const page of allFollowers(userId)) {
    for (const relation of page) await transactWrite(dryEdgeItems(run.runId, relation.followId, null, now));
  }
  await recordWouldDelete(run.runId, userId, await countCommentIndexEntries(userId), now);
  return "done";
}
