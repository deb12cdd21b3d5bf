import type { FollowRelation } from "../domain/follow";
import { getStoredAccountState, LIVE_ACCOUNT_CONDITION, type StoredAccountState } from "./account-store";
import { addToRunTotals, recordRunFigures } from "./cleanup-run-store";
import { inactivityIndexFields, isDeactivation, type DeactivationMark, type RestoringState } from "./entities/account";
import { fromRelationItem, toFollowItems, type RelationState } from "./entities/follow";
import { toQuarantinedClaimItem } from "./entities/handle-claim";
import { toPendingDeletionItem } from "./entities/pending-deletion";
import {
  fromDormantRelationItem,
  fromRestoringAccountItem,
  toDormantAccountItem,
  toDormantRelationItem,
  toRestoringAccountItem,
  type RestoringAccount,
} from "./entities/second-chance";
import { dropDormantIndexItem } from "./dormant-relation-store";
import { withFollowerCount } from "./follow-store";
import {
  existingFollowerCountTargets,
  followerCountChange,
  followingCountChange,
  mergedCountDepartures,
  pickFollowerCountTarget,
  type AlsoCondition,
  type CountDeparture,
  type FollowerCountTarget,
} from "./follower-count-store";
import { targetsOf } from "./follower-count-targets";
import { commentIndexEntryOf, type CommentIndexEntry } from "./account-deletion-store";
import { keysOnly, readKey, isEntity, type RawItem } from "./attributes";
import { indexEntryRef } from "./entities/comment";
import { cleanupKeys, collections, entityTypes, keys, ranges, type ItemKey } from "./keys";
import { deleteOutlookEntry, putOutlookEntry } from "./outlook-entries";
import { outlookTargetIs } from "./outlook-store";
import { getPendingDeletion } from "./pending-deletion-store";
import { queryPage, type StartKey } from "./query";
import { getItem, unlessConditionFails, updateItem } from "./requests";
import { withRetry } from "./retry";
import {
  checkOf,
  deleteOf,
  putOf,
  TransactionCancelled,
  transactWriteOnce,
  unlessCancelled,
  updateOf,
  type TransactItem,
  type TransactItems,
} from "./transactions";
import { unavailable } from "../errors";

// The writes of a second chance (docs/data-model.md, "A second chance"): the end of a deactivation, a restore's flip
// and its relations and comments coming back, a purge, the handle's quarantine. Each is one transaction, conditioned
// on the state it moves from, so any number of workers, retried after a crash at any write, settle each item once.
// Reading and dropping dormant relations, which more than these paths do, is dormant-relation-store.ts's.

/** The deactivation's condition on an item that carries the mark (the profile or a shard): still this very mark. */
const underMark = (mark: DeactivationMark): AlsoCondition => ({
  expression: "deletion.#markAt = :markAt",
  names: { "#markAt": "at" },
  values: { ":markAt": mark.at },
});

// ---------------------------------------------------------------------------------------------------------------
// Deactivation

/**
 * Ends a deactivation whose relations and comments are all out, in one transaction: the profile's phase becomes
 * `dormant`, the account is listed in `CLEANUP#DORMANT` by the end of its grace, the pending deletion goes (only with
 * the figures read from it), and the finishing run's figures of the account get its relations and comments (the
 * marking run's, unless a later run finishes what it began). False when the state changed (a restore flipped it
 * meanwhile, or the figures moved): read again.
 */
export function finishDeactivation(
  state: StoredAccountState,
  mark: DeactivationMark,
  figures: { edges: number; comments: number },
  runId: string | null,
): Promise<boolean> {
  const { userId } = state.account;
  return unlessCancelled([
    updateOf(keys.account(userId), {
      UpdateExpression: "SET deletion.#phase = :dormant",
      ConditionExpression: "deletion.#markAt = :markAt AND deletion.#phase = :deactivating",
      ExpressionAttributeNames: { "#phase": "phase", "#markAt": "at" },
      ExpressionAttributeValues: { ":dormant": "dormant", ":deactivating": "deactivating", ":markAt": mark.at },
    }),
    putOf(toDormantAccountItem(userId, mark.graceUntil)),
    deleteOf(cleanupKeys.pending(userId), {
      ConditionExpression: "edges = :edges AND comments = :comments",
      ExpressionAttributeValues: { ":edges": figures.edges, ":comments": figures.comments },
    }),
    ...(runId
      ? [recordRunFigures(runId, userId, { followEdgesDeleted: figures.edges, commentsAnonymized: figures.comments })]
      : []),
  ]);
}

/** A live relation to take into dormancy under its deactivated account, with where its outlook entry is expected. */
export interface DormancyMove {
  relation: FollowRelation;
  /** Its follower's outlook target as the caller expects it (null: outside the outlook). */
  outlookAt: string | null;
}

/** The end of a deactivation, for its last transaction: the pending deletion's figures before it, the finishing run. */
export interface DeactivationEnd {
  figures: { edges: number; comments: number };
  runId: string | null;
}

export type DormancyOutcome =
  /** Sent: how many relations and comments moved (those that changed meanwhile were left), and whether it ended. */
  | { moved: number; comments: number; finished: boolean }
  /** The account is no longer under this deactivation (a restore flipped it), or it was ended elsewhere. */
  | "not-deactivating"
  | "deactivated";

/** Items of one transaction at most (TransactWriteItems' limit). */
const DORMANCY_TRANSACTION_ITEMS = 100;
/** Items a relation may take: the relation, both rows, its index item, its outlook entry, its other account's count. */
const ITEMS_PER_RELATION = 6;
/** Items of the holder beside them: its profile, a follower-count shard, the pending deletion; the end's two more. */
const HOLDER_ITEMS = 5;

/**
 * Takes an account's relations into dormancy and its comments off it, and (with `end`) ends its deactivation, in as
 * few transactions as fit (docs/data-model.md, K20): ONE for a reader's few relations, its comments and the finish.
 * Each relation writes what `removeFollow` writes for it (the relation marked dormant, while it is the live one read
 * with its outlook entry where expected; both rows; both counts -1; its outlook entry; its index item under the
 * holder); each comment what `deactivateComment` writes; counts of one item merge into one Update
 * (`mergedCountDepartures`); the holder's items (its profile, its follower-count shard) hold its mark, and the pending
 * deletion counts what moved, or, with `end`, goes (condition: the figures read) as `finishDeactivation` ends it, the
 * profile's phase set in the same Update as its counts. A refused transaction is read by the item that failed
 * (`failedAt`), as the per-relation code reads it: a relation changed (another outlook entry: sent again with it;
 * gone, replaced or dormant: left out); another account's count item missing (a shard the memo guessed: its real
 * targets read; the account gone: its relations left out, its deletion takes them); a comment no longer the writer's
 * (left out); the holder's items (its state read again: restored, or ended elsewhere, answers so; a pending deletion
 * whose figures moved is read again). Then it is sent again without what was left out.
 */
export async function moveIntoDormancy(
  holder: StoredAccountState,
  mark: DeactivationMark,
  relations: readonly DormancyMove[],
  comments: readonly { postUlid: string; commentId: string }[],
  end: DeactivationEnd | null,
): Promise<DormancyOutcome> {
  const total = { moved: 0, comments: 0 };
  let figures = end ? { ...end.figures } : null;
  let relationsLeft = [...relations];
  let commentsLeft = [...comments];
  for (;;) {
    // The next transaction: as many relations, then comments, as fit; the end only with the last of them.
    const room = DORMANCY_TRANSACTION_ITEMS - HOLDER_ITEMS;
    const someRelations = relationsLeft.slice(0, Math.floor(room / ITEMS_PER_RELATION));
    const someComments = commentsLeft.slice(0, room - someRelations.length * ITEMS_PER_RELATION);
    const last = someRelations.length === relationsLeft.length && someComments.length === commentsLeft.length;
    const outcome = await dormancyTransaction(holder, mark, someRelations, someComments, last ? figures : null, end);
    if (typeof outcome === "string") return outcome;
    total.moved += outcome.moved;
    total.comments += outcome.comments;
    if (figures) figures = { edges: figures.edges + outcome.moved, comments: figures.comments + outcome.comments };
    relationsLeft = relationsLeft.slice(someRelations.length);
    commentsLeft = commentsLeft.slice(someComments.length);
    if (last) return { ...total, finished: outcome.finished };
    // A refused end (figures moved) is read again by `dormancyTransaction`; earlier transactions carry none.
  }
}

/** What an item of a dormancy transaction is, to read a refusal by. */
type DormancyRole =
  | { kind: "relation"; index: number }
  | { kind: "count"; userId: string; holder: boolean }
  | { kind: "comment"; index: number }
  | { kind: "pending" }
  | { kind: "plain" };

/** One transaction of `moveIntoDormancy`, sent until it goes through with what is still to move. */
async function dormancyTransaction(
  holder: StoredAccountState,
  mark: DeactivationMark,
  relations: DormancyMove[],
  comments: { postUlid: string; commentId: string }[],
  startFigures: { edges: number; comments: number } | null,
  end: DeactivationEnd | null,
): Promise<{ moved: number; comments: number; finished: boolean } | "not-deactivating" | "deactivated"> {
  const holderId = holder.account.userId;
  const holding = underMark(mark);
  let moves = [...relations];
  let writes = [...comments];
  let figures = startFigures;
  let holderTargets = targetsOf(
    holderId,
    holder.shardCounts.map(({ shard }) => shard),
  );
  /** The real targets of accounts whose guessed shard was missing. */
  const known = new Map<string, FollowerCountTarget[]>();
  const pick = (userId: string): FollowerCountTarget => {
    const targets = userId === holderId ? holderTargets : known.get(userId);
    return targets ? targets[Math.floor(Math.random() * targets.length)]! : pickFollowerCountTarget(userId);
  };
  const rounds = 4 + 2 * relations.length + comments.length;
  for (let round = 0; round < rounds; round++) {
    if (moves.length === 0 && writes.length === 0 && !figures) return { moved: 0, comments: 0, finished: false };
    const sent = await withRetry(async () => {
      const { items, roles } = dormancyItems(holderId, mark, holding, moves, writes, figures, end, pick);
      try {
        await transactWriteOnce(items);
        return { done: true as const };
      } catch (error) {
        if (!(error instanceof TransactionCancelled)) throw error;
        return { done: false as const, error, roles };
      }
    });
    if (sent.done) return { moved: moves.length, comments: writes.length, finished: figures !== null };
    const { error, roles } = sent;
    const dropRelations = new Set<number>();
    const dropComments = new Set<number>();
    let holderRefused = false;
    let pendingRefused = false;
    for (const [at, role] of roles.entries()) {
      if (!error.failedAt(at)) continue;
      if (role.kind === "relation") {
        const state = fromRelationItem(error.oldItems[at]);
        const move = moves[role.index]!;
        // Still this live relation, but in the outlook elsewhere: sent again with its entry; otherwise it changed.
        if (state && state.relation.followId === move.relation.followId && !state.dormantUnder) {
          if (state.outlookAt !== move.outlookAt) moves[role.index] = { ...move, outlookAt: state.outlookAt };
          else dropRelations.add(role.index);
        } else dropRelations.add(role.index);
      } else if (role.kind === "comment") dropComments.add(role.index);
      else if (role.kind === "pending") pendingRefused = true;
      else if (role.kind === "count" && role.holder) holderRefused = true;
      else if (role.kind === "count") {
        // Another account's count item: a guessed shard it lacks, or the account is gone.
        const existing = await existingFollowerCountTargets(role.userId);
        if (existing) known.set(role.userId, existing);
        else {
          moves.forEach(({ relation }, index) => {
            if (relation.followerId === role.userId || relation.followeeId === role.userId) dropRelations.add(index);
          });
        }
      } else throw error;
    }
    if (holderRefused || pendingRefused) {
      const again = await getStoredAccountState(holderId);
      const againMark = again?.deletion ?? null;
      if (!again || !isDeactivation(againMark) || againMark.at !== mark.at) return "not-deactivating";
      if (againMark.phase !== "deactivating") return "deactivated";
      holderTargets = targetsOf(
        holderId,
        again.shardCounts.map(({ shard }) => shard),
      );
      if (pendingRefused && figures) {
        const pending = await getPendingDeletion(holderId);
        if (!pending) throw unavailable(1);
        figures = { edges: pending.edges, comments: pending.comments };
      }
    }
    moves = moves.filter((_, index) => !dropRelations.has(index));
    writes = writes.filter((_, index) => !dropComments.has(index));
  }
  throw unavailable(1);
}

/** The items of one dormancy transaction, and what each is. */
function dormancyItems(
  holderId: string,
  mark: DeactivationMark,
  holding: AlsoCondition,
  moves: readonly DormancyMove[],
  comments: readonly { postUlid: string; commentId: string }[],
  figures: { edges: number; comments: number } | null,
  end: DeactivationEnd | null,
  pick: (userId: string) => FollowerCountTarget,
): { items: TransactItems; roles: DormancyRole[] } {
  const items: TransactItems = [];
  const roles: DormancyRole[] = [];
  const push = (item: TransactItem, role: DormancyRole) => {
    items.push(item);
    roles.push(role);
  };
  // One target per account for this try: the holder's follower count moves on one item, however many relations.
  const targets = new Map<string, FollowerCountTarget>();
  const targetOf = (userId: string) => {
    if (!targets.has(userId)) targets.set(userId, pick(userId));
    return targets.get(userId)!;
  };
  const departures: CountDeparture[] = [];
  moves.forEach(({ relation, outlookAt }, index) => {
    const { followerId, followeeId, followId } = relation;
    push(
      updateOf(keys.follow(followerId, followeeId), {
        UpdateExpression: "SET dormantUnder = :holder REMOVE outlookAt",
        ConditionExpression:
          "followId = :followId AND attribute_not_exists(dormantUnder) AND " +
          (outlookAt === null ? "attribute_not_exists(outlookAt)" : "outlookAt = :outlookAt"),
        ExpressionAttributeValues: {
          ":followId": followId,
          ":holder": holderId,
          ...(outlookAt === null ? {} : { ":outlookAt": outlookAt }),
        },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
      { kind: "relation", index },
    );
    push(deleteOf(keys.followerEntry(followeeId, followId)), { kind: "plain" });
    push(deleteOf(keys.followingEntry(followerId, followId)), { kind: "plain" });
    push(putOf(toDormantRelationItem(holderId, relation)), { kind: "plain" });
    if (outlookAt !== null) push(deleteOutlookEntry(followeeId, outlookAt, followerId), { kind: "plain" });
    departures.push({
      follower: {
        target: targetOf(followeeId),
        underNotice: outlookAt !== null,
        ...(followeeId === holderId ? { also: holding } : {}),
      },
      following: { userId: followerId, ...(followerId === holderId ? { also: holding } : {}) },
    });
  });
  const finish =
    figures && end
      ? {
          userId: holderId,
          set: "deletion.#phase = :dormant",
          condition: {
            expression: "deletion.#markAt = :markAt AND deletion.#phase = :deactivating",
            names: { "#phase": "phase", "#markAt": "at" },
            values: { ":dormant": "dormant", ":deactivating": "deactivating", ":markAt": mark.at },
          },
        }
      : undefined;
  for (const count of mergedCountDepartures(departures, finish)) {
    push(count.item, { kind: "count", userId: count.userId, holder: count.userId === holderId });
  }
  comments.forEach((comment, index) => {
    push(
      updateOf(keys.comment(comment.postUlid, comment.commentId), {
        UpdateExpression: "SET authorId = :null, dormantAuthorId = :writer",
        ConditionExpression: "authorId = :writer",
        ExpressionAttributeValues: { ":null": null, ":writer": holderId },
      }),
      { kind: "comment", index },
    );
  });
  if (figures && end) {
    push(putOf(toDormantAccountItem(holderId, mark.graceUntil)), { kind: "plain" });
    push(
      deleteOf(cleanupKeys.pending(holderId), {
        ConditionExpression: "edges = :edges AND comments = :comments",
        ExpressionAttributeValues: { ":edges": figures.edges, ":comments": figures.comments },
      }),
      { kind: "pending" },
    );
    if (end.runId) {
      push(
        recordRunFigures(end.runId, holderId, {
          followEdgesDeleted: figures.edges + moves.length,
          commentsAnonymized: figures.comments + comments.length,
        }),
        { kind: "plain" },
      );
    }
  } else if (moves.length > 0 || comments.length > 0) {
    const last = comments.at(-1);
    push(
      updateOf(cleanupKeys.pending(holderId), {
        UpdateExpression: `ADD edges :edges, comments :comments${last ? " SET commentsAfter = :comment" : ""}`,
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: {
          ":edges": moves.length,
          ":comments": comments.length,
          ...(last ? { ":comment": last.commentId } : {}),
        },
      }),
      { kind: "pending" },
    );
  }
  return { items, roles };
}

// ---------------------------------------------------------------------------------------------------------------
// Restore

/** How a restore begins: by the owner's sign-in (its time becomes the activity), or by an operator's undo. */
export type RestoreStart =
  { kind: "sign-in"; at: string } | { kind: "undo"; runId: string; undoId: string; at: string };

/**
 * The flip (K21): ONE transaction that gives a deactivated account back to every reader: the profile drops its
 * deactivation mark and gets `restoring` (condition: the very mark read, not purging; a sign-in within the grace, an
 * undo only while the mark is the undone run's), its activity is the sign-in's (an undo keeps it), its notice
 * schedule is cleared (it starts over) and its inactivity index pair set; every shard drops the mark; the
 * `CLEANUP#DORMANT` entry, a pending deactivation and a queued notice go; `CLEANUP#RESTORING` lists it. False when
 * the account is not as read (restored, purged or marked again meanwhile).
 */
export function flipToRestoring(
  state: StoredAccountState,
  mark: DeactivationMark,
  restoring: RestoringState,
  start: RestoreStart,
): Promise<boolean> {
  const { account } = state;
  const lastActiveAt = start.kind === "sign-in" ? start.at : account.lastActiveAt;
  const index = inactivityIndexFields(account.role, lastActiveAt);
  const sets = ["restoring = :restoring", "lastActiveAt = :lastActiveAt"];
  if (index.inactivityPk) sets.push("inactivityPk = :inactivityPk", "inactivitySk = :inactivitySk");
  const conditions = [
    "deletion.#markAt = :markAt",
    "deletion.#phase IN (:deactivating, :dormant)",
    start.kind === "sign-in" ? "deletion.graceUntil > :now" : "deletion.runId = :runId",
  ];
  const registry: RestoringAccount = {
    userId: account.userId,
    restoreId: restoring.restoreId,
    touchedSet: restoring.touchedSet,
  };
  return unlessCancelled([
    updateOf(keys.account(account.userId), {
      UpdateExpression: `SET ${sets.join(", ")} REMOVE deletion, noticeSchedule, noticesPendingSince, outlookAt, outlookDirty`,
      ConditionExpression: conditions.join(" AND "),
      ExpressionAttributeNames: { "#markAt": "at", "#phase": "phase" },
      ExpressionAttributeValues: {
        ":restoring": restoring,
        ":lastActiveAt": lastActiveAt,
        ":markAt": mark.at,
        ":deactivating": "deactivating",
        ":dormant": "dormant",
        ...(start.kind === "sign-in" ? { ":now": start.at } : { ":runId": start.runId }),
        ...(index.inactivityPk ? { ":inactivityPk": index.inactivityPk, ":inactivitySk": index.inactivitySk } : {}),
      },
    }),
    ...state.shardCounts.map(({ shard }) =>
      updateOf(keys.followerCountShard(account.userId, shard), {
        UpdateExpression: "REMOVE deletion",
        ConditionExpression: "attribute_exists(pk)",
      }),
    ),
    deleteOf(cleanupKeys.dormant(mark.graceUntil, account.userId)),
    deleteOf(cleanupKeys.pending(account.userId)),
    deleteOf(cleanupKeys.queuedNotice(account.userId)),
    deleteOf(cleanupKeys.outlookSync(account.userId)),
    putOf(toRestoringAccountItem(registry)),
  ]);
}

/** What reviving a dormant relation needs to know of its two accounts, as read. */
export interface ReviveFacts {
  relation: FollowRelation;
  /** The account that holds it (whose restore revives it). */
  holderId: string;
  /** The follower's outlook target as read (null: not under notice): the relation enters the outlook with it. */
  followerOutlook: string | null;
}

export type SettleOutcome = "done" | "changed";

/**
 * Revives a dormant relation (K22) in ONE transaction: the relation item loses `dormantUnder` (condition: still
 * dormant under its holder, the same follow), both list rows are put back with its own follow ID and time, both
 * counts +1 (each only while its account is live), the index item goes; the follower's outlook entry comes back when
 * it is under notice (condition: its target as read). The account on the other side must have existed when the
 * relation was made (`createdAt <= followedAt`: the same ID made again later is another account). `changed`: an
 * account or the relation is not as read (read again and settle again).
 */
export async function reviveRelation(facts: ReviveFacts): Promise<SettleOutcome> {
  const { relation, holderId, followerOutlook } = facts;
  const [, followerRow, followingRow] = toFollowItems(relation);
  const followedAt = { ":followedAt": relation.followedAt };
  const outlook = outlookTargetIs(followerOutlook);
  const followerAlso: AlsoCondition = {
    expression: `${outlook.expression}${relation.followerId === holderId ? "" : " AND createdAt <= :followedAt"}`,
    values: { ...outlook.values, ...(relation.followerId === holderId ? {} : followedAt) },
  };
  // The followee must be live and have existed when the relation was made: a check of its profile, or, when the
  // count goes to the profile itself (one transaction may not touch an item twice), that count's own condition.
  const followeeExisted: AlsoCondition | undefined =
    relation.followeeId === holderId ? undefined : { expression: "createdAt <= :followedAt", values: followedAt };
  const outcome = await withFollowerCount(
    relation.followeeId,
    (target) => [
      updateOf(keys.follow(relation.followerId, relation.followeeId), {
        UpdateExpression: `REMOVE dormantUnder${followerOutlook === null ? "" : " SET outlookAt = :outlookAt"}`,
        ConditionExpression: "dormantUnder = :holder AND followId = :followId",
        ExpressionAttributeValues: {
          ":holder": holderId,
          ":followId": relation.followId,
          ...(followerOutlook === null ? {} : { ":outlookAt": followerOutlook }),
        },
      }),
      putOf(followerRow),
      putOf(followingRow),
      followerCountChange(target, 1, {
        underNotice: followerOutlook !== null,
        ...(target.kind === "profile" && followeeExisted ? { also: followeeExisted } : {}),
      }),
      followingCountChange(relation.followerId, 1, followerAlso),
      deleteOf(keys.dormantRelation(holderId, relation.followId)),
      ...(followerOutlook === null ? [] : [putOutlookEntry(relation.followeeId, followerOutlook, relation.followerId)]),
      ...(target.kind === "profile"
        ? []
        : [
            checkOf(keys.account(relation.followeeId), {
              ConditionExpression: `${LIVE_ACCOUNT_CONDITION}${followeeExisted ? ` AND ${followeeExisted.expression}` : ""}`,
              ...(followeeExisted ? { ExpressionAttributeValues: followedAt } : {}),
            }),
          ]),
    ],
    () => "gone" as const,
    "changed",
  );
  if (outcome === "done") return "done";
  // The relation is no longer dormant under its holder: settled by another worker (or a follow, an unfollow).
  if (outcome === "gone" || outcome === "unchanged") {
    await dropDormantIndexItem(holderId, relation.followId);
    return "done";
  }
  return "changed";
}

/**
 * Moves a dormant relation to the other account, which is dormant too (K22): the relation's holder, the index
 * items, and a check that the other account is still deactivated under the mark read (not purging) and existed
 * when the relation was made. No count changes: it was out of the counts and stays so.
 */
export async function rehomeRelation(
  relation: FollowRelation,
  holderId: string,
  other: { userId: string; mark: DeactivationMark },
): Promise<SettleOutcome> {
  const moved = await unlessCancelled([
    updateOf(keys.follow(relation.followerId, relation.followeeId), {
      UpdateExpression: "SET dormantUnder = :other",
      ConditionExpression: "dormantUnder = :holder AND followId = :followId",
      ExpressionAttributeValues: { ":holder": holderId, ":other": other.userId, ":followId": relation.followId },
    }),
    deleteOf(keys.dormantRelation(holderId, relation.followId)),
    putOf(toDormantRelationItem(other.userId, relation)),
    checkOf(keys.account(other.userId), {
      ConditionExpression:
        "deletion.#markAt = :markAt AND deletion.#phase IN (:deactivating, :dormant) AND createdAt <= :followedAt",
      ExpressionAttributeNames: { "#markAt": "at", "#phase": "phase" },
      ExpressionAttributeValues: {
        ":markAt": other.mark.at,
        ":deactivating": "deactivating",
        ":dormant": "dormant",
        ":followedAt": relation.followedAt,
      },
    }),
  ]);
  if (moved) return "done";
  const state = await getItem(keys.follow(relation.followerId, relation.followeeId), fromRelationItem);
  if (state?.dormantUnder === holderId && state.relation.followId === relation.followId) return "changed";
  await dropDormantIndexItem(holderId, relation.followId);
  return "done";
}

/** Gives a comment its writer back (condition: it still keeps that writer aside); false when it does not. */
export function restoreComment(comment: { postUlid: string; commentId: string }, writerId: string): Promise<boolean> {
  return unlessConditionFails(
    updateItem(keys.comment(comment.postUlid, comment.commentId), {
      UpdateExpression: "SET authorId = :writer REMOVE dormantAuthorId",
      ConditionExpression: "dormantAuthorId = :writer",
      ExpressionAttributeValues: { ":writer": writerId },
    }),
  );
}

/** The restore's registry entry (1 GetItem), or null. */
export function getRestoringEntry(userId: string): Promise<RestoringAccount | null> {
  return getItem(cleanupKeys.restoring(userId), fromRestoringAccountItem);
}

/** Moves the restore's comment position (1 UpdateItem, only while the entry is this restore's). */
export function restoreCommentsAfter(userId: string, restoreId: string, commentId: string): Promise<boolean> {
  return unlessConditionFails(
    updateItem(cleanupKeys.restoring(userId), {
      UpdateExpression: "SET commentsAfter = :comment",
      ConditionExpression: "restoreId = :restoreId",
      ExpressionAttributeValues: { ":comment": commentId, ":restoreId": restoreId },
    }),
  );
}

/** A page of accounts whose restore is under way (1 consistent Query). */
export async function restoringPage(
  limit: number,
  after?: string,
): Promise<{ entries: RestoringAccount[]; next?: string }> {
  const page = await queryPage(collections.restoringAccounts(), fromRestoringAccountItem, {
    limit,
    ...(after === undefined ? {} : { startAfter: cleanupKeys.restoring(after) }),
  });
  const last = page.items.at(-1);
  return { entries: page.items, ...(page.next && last ? { next: last.userId } : {}) };
}

/**
 * Ends a restore whose relations and comments are back (K23): the profile's `restoring` and the registry entry go
 * (only while they are this restore's) and the run whose deactivation it undid counts it. False when another
 * worker ended it first.
 */
export function finishRestore(userId: string, restoring: RestoringState): Promise<boolean> {
  return unlessCancelled([
    updateOf(keys.account(userId), {
      UpdateExpression: "REMOVE restoring",
      ConditionExpression: "restoring.restoreId = :restoreId",
      ExpressionAttributeValues: { ":restoreId": restoring.restoreId },
    }),
    deleteOf(cleanupKeys.restoring(userId), {
      ConditionExpression: "attribute_not_exists(pk) OR restoreId = :restoreId",
      ExpressionAttributeValues: { ":restoreId": restoring.restoreId },
    }),
    ...(restoring.fromRunId ? [addToRunTotals(restoring.fromRunId, { accountsRestored: 1 })] : []),
  ]);
}

/** Drops the registry entry of a restore that is no longer under way (the account was deleted, or ended it). */
export function dropRestoringEntry(userId: string, restoreId: string): Promise<boolean> {
  return unlessCancelled([
    deleteOf(cleanupKeys.restoring(userId), {
      ConditionExpression: "restoreId = :restoreId",
      ExpressionAttributeValues: { ":restoreId": restoreId },
    }),
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Purge

/**
 * Begins a purge (K24), in one transaction: the phase becomes `purging` (condition: dormant under the mark read, so
 * a restore racing it loses, or wins and this fails), the `CLEANUP#DORMANT` entry goes, and a pending deletion
 * (work: purge) makes any later run finish it. False when the account is not as read.
 */
export function markPurge(
  state: StoredAccountState,
  mark: DeactivationMark,
  runId: string,
  at: string,
): Promise<boolean> {
  const { userId } = state.account;
  return unlessCancelled([
    updateOf(keys.account(userId), {
      UpdateExpression: "SET deletion.#phase = :purging",
      ConditionExpression: "deletion.#markAt = :markAt AND deletion.#phase = :dormant",
      ExpressionAttributeNames: { "#phase": "phase", "#markAt": "at" },
      ExpressionAttributeValues: { ":purging": "purging", ":dormant": "dormant", ":markAt": mark.at },
    }),
    deleteOf(cleanupKeys.dormant(mark.graceUntil, userId)),
    putOf(toPendingDeletionItem({ userId, reason: "inactive", runId, at, edges: 0, comments: 0, work: "purge" }), {
      ConditionExpression: "attribute_not_exists(pk)",
    }),
  ]);
}

/** Takes a comment's kept writer off it for good (1 UpdateItem; condition: it still keeps that writer). */
export function purgeComment(comment: { postUlid: string; commentId: string }, writerId: string): Promise<boolean> {
  return unlessConditionFails(
    updateItem(keys.comment(comment.postUlid, comment.commentId), {
      UpdateExpression: "REMOVE dormantAuthorId",
      ConditionExpression: "dormantAuthorId = :writer",
      ExpressionAttributeValues: { ":writer": writerId },
    }),
  );
}

/** How a purge ends (`finishPurge`): the run it counts for, and the handle's quarantine (null: none). */
export interface PurgeFinish {
  runId: string | null;
  quarantineUntil: Date | null;
}

/**
 * Ends a purge, in one transaction: the profile (condition: purging) with every shard, the handle claim turned into a
 * quarantine until `quarantineUntil` (condition: still the account's claim; none when the quarantine is zero), the
 * pending deletion, and `accountsPurged + 1` on the purging run. No count changes. False when a condition failed.
 */
export function finishPurge(
  state: StoredAccountState,
  runId: string | null,
  quarantineUntil: Date | null,
): Promise<boolean> {
  return unlessCancelled(finishPurgeItems(state, { runId, quarantineUntil }));
}

function finishPurgeItems(state: StoredAccountState, finish: PurgeFinish): TransactItems {
  const { userId, handle } = state.account;
  const { runId, quarantineUntil } = finish;
  const ours = {
    ConditionExpression: "attribute_not_exists(pk) OR userId = :userId",
    ExpressionAttributeValues: { ":userId": userId },
  };
  return [
    deleteOf(keys.account(userId), {
      ConditionExpression: "deletion.#phase = :purging",
      ExpressionAttributeNames: { "#phase": "phase" },
      ExpressionAttributeValues: { ":purging": "purging" },
    }),
    ...state.shardCounts.map(({ shard }) => deleteOf(keys.followerCountShard(userId, shard))),
    quarantineUntil
      ? putOf(toQuarantinedClaimItem(handle, userId, quarantineUntil), ours)
      : deleteOf(keys.handle(handle), ours),
    deleteOf(cleanupKeys.pending(userId)),
    ...(runId ? [recordRunFigures(runId, userId, { accountsPurged: 1 })] : []),
  ];
}

/** What one round of a purge read of what is left of an account (`purgeableOf`). */
export interface PurgeRound {
  /** The dormant relations it holds (its `DORMANT#` index). */
  held: FollowRelation[];
  /** The relation items of its own partition, with the account that holds each (null: live). */
  own: RelationState[];
  /** Its comment index entries: each comment keeps it aside as `dormantAuthorId`. */
  comments: CommentIndexEntry[];
  /** Its idempotency records and follower history points: deleted without a condition. */
  records: ItemKey[];
  /** Where its own partition's range goes on (null: read to its end). */
  next: StartKey | null;
  /** Whether this round read all that is left: nothing more in its index, its partition's range or its history. */
  complete: boolean;
}

/**
 * How much one round reads, so that all it finds fits in one transaction with the finish (TransactWriteItems takes
 * 100 items): 2 items per relation or comment, 1 per record, and at most 4 + 16 shards for the finish.
 */
const ROUND_LIMITS = { own: 25, held: 12, history: 6 } as const;
const TRANSACTION_ITEMS = 100;

/** An item of a purge's range of the account's partition (`ranges.purgeableOf`), by the entity it holds. */
type PurgeableItem =
  | { kind: "relation"; state: RelationState }
  | { kind: "comment"; entry: CommentIndexEntry }
  | { kind: "record"; key: ItemKey };

function readPurgeable(item: RawItem): PurgeableItem | null {
  if (isEntity(item, entityTypes.commentByWriter))
    return { kind: "comment", entry: commentIndexEntryOf(indexEntryRef.read(item)) };
  if (isEntity(item, entityTypes.follow)) {
    const state = fromRelationItem(item);
    return state ? { kind: "relation", state } : null;
  }
  if (isEntity(item, entityTypes.idempotencyRecord)) return { kind: "record", key: readKey(item) };
  return null;
}

/**
 * What is left of a purging account, as far as one transaction takes it: 3 consistent Queries in parallel, each
 * bounded (`ROUND_LIMITS`): the range of its own partition that holds its comment index, relations and idempotency
 * records (one Query where three prefixes took one each, and a reader's usually find nothing), its `DORMANT#`
 * index, and its history. `after`: where the partition's range goes on (what an earlier round left there, a live
 * relation, is not the purge's to delete).
 */
export async function purgeableOf(userId: string, after: StartKey | null): Promise<PurgeRound> {
  const [mine, held, history] = await Promise.all([
    queryPage(ranges.purgeableOf(userId), readPurgeable, {
      limit: ROUND_LIMITS.own,
      ...(after ? { startAfter: after } : {}),
    }),
    queryPage(collections.dormantRelationsOf(userId), fromDormantRelationItem, { limit: ROUND_LIMITS.held }),
    queryPage(collections.followerHistoryOf(userId), readKey, { projection: keysOnly, limit: ROUND_LIMITS.history }),
  ]);
  return {
    held: held.items,
    own: mine.items.flatMap((item) => (item.kind === "relation" ? [item.state] : [])),
    comments: mine.items.flatMap((item) => (item.kind === "comment" ? [item.entry] : [])),
    records: [...mine.items.flatMap((item) => (item.kind === "record" ? [item.key] : [])), ...history.items],
    next: mine.next,
    complete: mine.next === null && held.next === null && history.next === null,
  };
}

export type PurgeTogetherOutcome = "purged" | "more" | "refused";

/**
 * Deletes what one round found in ONE transaction, and ends the purge with it (`finishPurge`'s items) when the
 * round read all that is left and the finish fits: each dormant relation (the relation item, only while dormant
 * under the holder read with the follow read, and the holder's index item), each comment's kept writer (only while
 * it keeps this one) with its index entry, the records; no count changes. A crash before it leaves all of it for the
 * next run; after it, no half of anything. `refused`: a condition failed (a relation or a comment changed since the
 * round read it, another worker finished first): go on item by item, as each item's own write tolerates that.
 */
export async function purgeTogether(
  state: StoredAccountState,
  round: PurgeRound,
  finish: PurgeFinish,
): Promise<PurgeTogetherOutcome> {
  const { userId } = state.account;
  const items = new Map<string, TransactItem>();
  const add = (key: ItemKey, item: TransactItem) => {
    const id = `${key.pk}\u0000${key.sk}`;
    if (!items.has(id)) items.set(id, item);
  };
  const dropRelation = (relation: FollowRelation, holderId: string) => {
    const relationKey = keys.follow(relation.followerId, relation.followeeId);
    add(
      relationKey,
      deleteOf(relationKey, {
        ConditionExpression: "dormantUnder = :holder AND followId = :followId",
        ExpressionAttributeValues: { ":holder": holderId, ":followId": relation.followId },
      }),
    );
    const indexKey = keys.dormantRelation(holderId, relation.followId);
    add(indexKey, deleteOf(indexKey));
  };
  for (const relation of round.held) dropRelation(relation, userId);
  for (const own of round.own) if (own.dormantUnder !== null) dropRelation(own.relation, own.dormantUnder);
  for (const comment of round.comments) {
    const commentKey = keys.comment(comment.post.id, comment.commentId);
    add(
      commentKey,
      updateOf(commentKey, {
        UpdateExpression: "REMOVE dormantAuthorId",
        ConditionExpression: "dormantAuthorId = :writer",
        ExpressionAttributeValues: { ":writer": userId },
      }),
    );
    add(comment.key, deleteOf(comment.key));
  }
  for (const record of round.records) add(record, deleteOf(record));

  const finishing = round.complete ? finishPurgeItems(state, finish) : [];
  const ends = finishing.length > 0 && items.size + finishing.length <= TRANSACTION_ITEMS;
  const all = [...items.values(), ...(ends ? finishing : [])];
  if (all.length === 0) return "more";
  return (await unlessCancelled(all)) ? (ends ? "purged" : "more") : "refused";
}
