// What a dry run records instead of deleting, in its own partition (`CLEANUP#RUN#<runId>`: `TOUCHED#<userId>`,
// `WOULD#<userId>`, `EDGE#<followId>`; and `CLEANUP#RUN#<runId>#LOST#<userId>`, `FOLLOWER#<followerId>`), every
// item expiring (TTL) a week after the run: nobody reads them after it ends.
import { attributesOf, projectionOf, type RawItem } from "../attributes";
import { cleanupKeys, entityTypes, type ItemKey } from "../keys";
import type { TouchedAccount } from "./touched-account";

/** Scratch items of dry runs expire (DynamoDB TTL) a week after the run. */
const DRY_SCRATCH_TTL_SECONDS = 7 * 24 * 60 * 60;

export interface DryRunScratchItem extends ItemKey, Partial<TouchedAccount> {
  entityType: typeof entityTypes.dryRunScratch;
  /** On a would-delete record: the comments the account's deletion would anonymize. */
  comments?: number;
  expiresAt: number;
}

const scratch = (key: ItemKey, now: Date): DryRunScratchItem => ({
  ...key,
  entityType: entityTypes.dryRunScratch,
  expiresAt: Math.floor(now.getTime() / 1000) + DRY_SCRATCH_TTL_SECONDS,
});

/** A surviving account the dry run would touch, with its counts now. */
export const toDryTouchedItem = (runId: string, touched: TouchedAccount, now: Date): DryRunScratchItem => ({
  ...scratch(cleanupKeys.dryTouched(runId, touched.userId), now),
  ...touched,
});

/** An account the dry run would delete, with the comments it would anonymize. */
export const toDryWouldDeleteItem = (
  runId: string,
  userId: string,
  comments: number,
  now: Date,
): DryRunScratchItem => ({
  ...scratch(cleanupKeys.dryWouldDelete(runId, userId), now),
  userId,
  comments,
});

/** A relation the dry run would delete (keyed by its follow ID, so a relation between two deleted accounts counts once). */
export const toDryEdgeItem = (runId: string, followId: string, now: Date): DryRunScratchItem =>
  scratch(cleanupKeys.dryEdge(runId, followId), now);

/** A follower an account would lose. */
export const toDryLostFollowerItem = (
  runId: string,
  userId: string,
  followerId: string,
  now: Date,
): DryRunScratchItem => scratch(cleanupKeys.dryLostFollower(runId, userId, followerId), now);

/** The comments a would-delete record counts (what the dry run's totals add up). */
export const wouldDeleteComments = {
  projection: projectionOf(["comments"]),
  read: (item: RawItem): number => attributesOf(item, entityTypes.dryRunScratch).optionalNumber("comments") ?? 0,
};
