import { commentIndexPage, postsPage } from "../../db/account-deletion-store";
import { getStoredAccountState, type StoredAccountState } from "../../db/account-store";
import { isDeactivation, type DeactivationMark } from "../../db/entities/account";
import { removeFollow } from "../../db/follow-store";
import { allFollowers, allFollowing } from "../../db/follow-read-store";
import { countOnPending, getPendingDeletion } from "../../db/pending-deletion-store";
import { deactivateComment, finishDeactivation, passComment, underMark } from "../../db/second-chance-store";
import type { FollowRelation } from "../../domain/follow";
import { unavailable } from "../../errors";
import { touch, type DeletionSteps } from "../account-deletion";
import { deletePostWithComments } from "../posts";

// Deactivate (contract 1.2, "A second chance"; docs/data-model.md, K20): an account whose notice schedule is complete
// is marked (batch.ts), then every relation in both directions leaves every list and count in one transaction each
// and stays, dormant under it; its comments show no writer and keep it aside; its posts are deleted as 1.1 deleted
// them; the finish makes it dormant until its grace has passed. Each step is repeatable after a crash at any write,
// and stops as soon as a restore flipped the account back (every move is conditioned on the mark).

/** How many comments or posts one round reads. */
const ROUND = 100;

export type DeactivationOutcome = "deactivated" | "unfinished" | "not-deactivating";

/**
 * Deactivates a marked account from wherever an earlier attempt stopped. `unfinished`: the deadline came first (call
 * again); `not-deactivating`: the account is no longer under this deactivation (a restore flipped it back, or it is
 * gone). `known`: its state as the caller read (or marked) it in this step, so it is not read again here; every
 * move below is conditioned on its mark, and the finish reads it again.
 */
export async function deactivateMarkedAccount(
  userId: string,
  steps: DeletionSteps,
  known?: StoredAccountState,
  /** Where its own relations' outlook entries are, when the caller knows (its target before the mark removed it). */
  outlookAtBeforeMark: string | null = null,
): Promise<DeactivationOutcome> {
  const late = () => Date.now() > steps.deadline;
  const state = known ?? (await getStoredAccountState(userId));
  const mark = state?.deletion ?? null;
  if (!state || !isDeactivation(mark) || mark.phase !== "deactivating") return "not-deactivating";
  const stillMarked = async () => {
    const again = await getStoredAccountState(userId);
    return isDeactivation(again?.deletion ?? null) && again!.deletion!.at === mark.at;
  };

  // The account's own relations sit in its followees' outlooks at its outlook target before the mark (its notices put
  // them there); its followers' relations at each follower's own, unknown here. A wrong guess costs one refusal.
  const moveOut = async (
    pages: AsyncGenerator<FollowRelation[]>,
    other: (relation: FollowRelation) => string,
    expectedOutlookAt: string | null,
  ) => {
    for await (const page of pages) {
      for (const relation of page) {
        if (late()) return "unfinished" as const;
        await touch(other(relation), steps);
        const outcome = await removeFollow(
          relation,
          dormantUnder(userId, mark),
          [countOnPending(userId, "edges")],
          expectedOutlookAt,
        );
        // A count item refused: the other account is gone (its deletion takes the relation), or this mark no longer
        // holds (a restore flipped it back: stop).
        if ((outcome === "followee_missing" || outcome === "follower_missing") && !(await stillMarked())) {
          return "not-deactivating" as const;
        }
      }
    }
    return "done" as const;
  };
  for (const outcome of [
    await moveOut(allFollowing(userId), (relation) => relation.followeeId, outlookAtBeforeMark),
    await moveOut(allFollowers(userId), (relation) => relation.followerId, null),
  ]) {
    if (outcome !== "done") return outcome;
  }

  // Comments: off their writer, who is kept aside; the pending deletion remembers how far it got.
  let after = (await getPendingDeletion(userId))?.commentsAfter;
  for (;;) {
    const comments = await commentIndexPage(userId, ROUND, after);
    if (comments.length === 0) break;
    for (const comment of comments) {
      if (late()) return "unfinished";
      const ref = { postUlid: comment.post.id, commentId: comment.commentId };
      if (!(await deactivateComment(ref, userId))) await passComment(userId, comment.commentId);
    }
    after = comments.at(-1)!.commentId;
  }

  // Posts (a reader that published while it was an author): deleted with their comments, as 1.1 deleted them.
  for (;;) {
    const posts = await postsPage(userId, ROUND);
    if (posts.length === 0) break;
    for (const post of posts) {
      if (late()) return "unfinished";
      await deletePostWithComments(post);
    }
  }

  // The first attempt finishes under the mark as held (the finish is conditioned on it); only a refused one reads the
  // account again, to tell a restore's flip or a finish elsewhere from figures that moved.
  for (let attempt = 0; attempt < 5; attempt++) {
    const [current, pending] = await Promise.all([
      attempt === 0 ? state : getStoredAccountState(userId),
      getPendingDeletion(userId),
    ]);
    const currentMark = current?.deletion ?? null;
    if (!current || !isDeactivation(currentMark) || currentMark.at !== mark.at) return "not-deactivating";
    if (currentMark.phase !== "deactivating") return "deactivated";
    const figures = { edges: pending?.edges ?? 0, comments: pending?.comments ?? 0 };
    if (await finishDeactivation(current, currentMark, figures, steps.run?.runId ?? null)) return "deactivated";
  }
  throw unavailable(1);
}

/** The relation's departure into dormancy under the deactivated account, while its mark holds. */
const dormantUnder = (holderId: string, mark: DeactivationMark) =>
  ({ kind: "dormant", holderId, mark: underMark(mark) }) as const;
