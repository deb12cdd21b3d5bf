import type { FollowRelation } from "../domain/follow";
import { fromRelationItem, type RelationState } from "./entities/follow";
import { fromDormantRelationItem } from "./entities/second-chance";
import { collections, keys } from "./keys";
import { queryPage, queryPages } from "./query";
import { deleteOf, unlessCancelled } from "./transactions";

// The dormant relations as the deletion of an account, an unfollow and the outlook sync see them (docs/data-model.md,
// "A second chance"): read and dropped for good. The rest of a second chance's writes (a deactivation's end, a
// restore, a purge) are second-chance-store.ts's. Apart from it because the functions that only read or drop them
// (DELETE /me, the follows, the outlook) would otherwise carry every restore write at init: their lazily loaded
// restore shares this module with them, and a module shared with a function's init is loaded whole at init.

/** A page of the dormant relations an account holds (1 consistent Query). */
export async function dormantRelationsPage(holderId: string, limit: number): Promise<FollowRelation[]> {
  return (await queryPage(collections.dormantRelationsOf(holderId), fromDormantRelationItem, { limit })).items;
}

/** Every relation item in an account's partition (live and dormant), in 1 MB pages: what the outlook sync walks. */
export async function* relationItemsOf(followerId: string): AsyncGenerator<RelationState[]> {
  for await (const page of queryPages(collections.relationsOf(followerId), fromRelationItem)) yield page.items;
}

/**
 * Deletes a dormant relation for good (its other account is gone, or its holder is purged or deleted): the relation
 * item (only while still dormant under `holderId`) and the holder's index item. No count changes.
 */
export async function dropDormantRelation(relation: FollowRelation, holderId: string): Promise<void> {
  const dropped = await unlessCancelled([
    deleteOf(keys.follow(relation.followerId, relation.followeeId), {
      ConditionExpression: "dormantUnder = :holder AND followId = :followId",
      ExpressionAttributeValues: { ":holder": holderId, ":followId": relation.followId },
    }),
    deleteOf(keys.dormantRelation(holderId, relation.followId)),
  ]);
  if (!dropped) await dropDormantIndexItem(holderId, relation.followId);
}

/** Deletes a holder's index item of a dormant relation that is no longer dormant under it. */
export const dropDormantIndexItem = (holderId: string, followId: string) =>
  unlessCancelled([deleteOf(keys.dormantRelation(holderId, followId))]);
