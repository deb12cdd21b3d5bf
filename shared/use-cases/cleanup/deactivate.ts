import { commentIndexRound, postsPage } from "../../db/account-deletion-store";
import { getStoredAccountState, type StoredAccountState } from "../../db/account-store";
import { isDeactivation } from "../../db/entities/account";
import { allFollowers, allFollowing } from "../../db/follow-read-store";
import { getPendingDeletion } from "../../db/pending-deletion-store";
import { finishDeactivation, moveIntoDormancy, type DormancyMove } from "../../db/second-chance-store";
import { unavailable } from "../../errors";
import { touch, type DeletionSteps } from "../account-deletion";
import { deletePostWithComments } from "../posts";

// Deactivate (contract 1.2, "A second chance"; docs/data-model.md, K20): an account whose notice schedule is complete
// is marked (batch.ts), then every relation in both directions leaves every list and count and stays, dormant under
// it; its comments show no writer and keep it aside; its posts are deleted as 1.1 deleted them; the finish makes it
// dormant until its grace has passed. The relations and comments go in as few transactions as fit, the last of them
// with the finish (second-chance-store.ts, moveIntoDormancy): a reader's few relations, its comments and its finish
// in ONE. Each step is repeatable after a crash at any write, and stops as soon as a restore flipped the account back
// (every move is conditioned on the mark).

/** How many comments or posts one round reads. */
const ROUND = 100;
/** How many relations one round gathers before it sends them (in as many transactions as they need). */
const RELATIONS_PER_ROUND = 50;

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
  /** The caller marked it in this step: its pending deletion is the one the mark put (nothing moved, no comment). */
  justMarked = false,
): Promise<DeactivationOutcome> {
  const late = () => Date.now() > steps.deadline;
  const state = known ?? (await getStoredAccountState(userId));
  const mark = state?.deletion ?? null;
  if (!state || !isDeactivation(mark) || mark.phase !== "deactivating") return "not-deactivating";

  // Where the comments stopped, and the figures the end is conditioned on (each transaction below adds what it
  // moved): as the mark put them when this step marked it, else read once. A wrong figure costs one refusal and a read.
  const pending = justMarked ? { edges: 0, comments: 0, commentsAfter: undefined } : await getPendingDeletion(userId);
  let figures = { edges: pending?.edges ?? 0, comments: pending?.comments ?? 0 };
  const send = async (
    relations: DormancyMove[],
    comments: { postUlid: string; commentId: string }[],
    end: boolean,
  ): Promise<"done" | "finished" | "not-deactivating" | "deactivated"> => {
    // Each other account's counts are recorded before its relation moves (as one relation's transaction did).
    for (const { relation } of relations) {
      await touch(relation.followerId === userId ? relation.followeeId : relation.followerId, steps);
    }
    const outcome = await moveIntoDormancy(
      state,
      mark,
      relations,
      comments,
      end ? { figures, runId: steps.run?.runId ?? null } : null,
    );
    if (typeof outcome === "string") return outcome;
    figures = { edges: figures.edges + outcome.moved, comments: figures.comments + outcome.comments };
    return outcome.finished ? "finished" : "done";
  };

  // The relations, both ways, gathered into transactions of RELATIONS_PER_ROUND (touching that many accounts first);
  // the last few wait for the comments and the end, to go in one transaction with them. The account's own relations
  // sit in its followees' outlooks at its outlook target before the mark (its notices put them there); its
  // followers' relations at each follower's own, unknown here. A wrong guess costs one refusal.
  let held: DormancyMove[] = [];
  for (const [pages, expectedOutlookAt] of [
    [allFollowing(userId), outlookAtBeforeMark],
    [allFollowers(userId), null],
  ] as const) {
    for await (const page of pages) {
      for (const relation of page) {
        held.push({ relation, outlookAt: expectedOutlookAt });
        if (held.length < RELATIONS_PER_ROUND) continue;
        if (late()) return "unfinished";
        const sent = await send(held, [], false);
        if (sent !== "done") return sent === "deactivated" ? "deactivated" : "not-deactivating";
        held = [];
      }
    }
  }

  // Comments: off their writer, who is kept aside; the pending deletion remembers how far it got. A full page goes
  // at once (with the relations held); the last page (the index ends within it) waits for the end.
  let after = pending?.commentsAfter;
  let round = await commentIndexRound(userId, ROUND, after);
  const refs = () => round.entries.map((comment) => ({ postUlid: comment.post.id, commentId: comment.commentId }));
  while (round.more) {
    if (late()) return "unfinished";
    const sent = await send(held, refs(), false);
    if (sent !== "done") return sent === "deactivated" ? "deactivated" : "not-deactivating";
    held = [];
    after = round.entries.at(-1)?.commentId ?? after;
    round = await commentIndexRound(userId, ROUND, after);
  }
  const comments = refs();

  // Posts (a reader that published while it was an author): deleted with their comments, as 1.1 deleted them, after
  // the comments (so the writer's comments on them are counted as set aside first, as before).
  const posts = await postsPage(userId, ROUND);
  if (late()) return "unfinished";
  if (posts.length === 0) {
    // Nothing else to do: what is held, the last comments and the end, in one transaction (more when they do not fit).
    const sent = await send(held, comments, true);
    if (sent === "finished" || sent === "deactivated") return "deactivated";
    if (sent === "not-deactivating") return "not-deactivating";
  } else {
    const sent = await send(held, comments, false);
    if (sent !== "done") return sent === "deactivated" ? "deactivated" : "not-deactivating";
    for (let page = posts; page.length > 0; page = await postsPage(userId, ROUND)) {
      for (const post of page) {
        if (late()) return "unfinished";
        await deletePostWithComments(post);
      }
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
