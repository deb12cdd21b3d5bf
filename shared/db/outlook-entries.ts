import { toOutlookEntryItem } from "./entities/second-chance";
import { keys } from "./keys";
import { deleteOf, putOf, type TransactItem } from "./transactions";

// A relation's outlook entry (docs/data-model.md, "Authors see it coming") as a write of a transaction: what an
// unfollow, a restore and the outlook sync put or delete. Apart from the outlook store (outlook-store.ts), which the
// outlook sync and the restore use, so that a function whose own writes only delete an entry (an unfollow, DELETE /me)
// does not carry the sync at init: its lazily loaded sync and restore share this module with it, and a module a
// function's init shares with them is loaded whole at init.

/** The Put of a relation's outlook entry. */
export const putOutlookEntry = (followeeId: string, at: string, followerId: string): TransactItem =>
  putOf(toOutlookEntryItem({ followeeId, at, followerId }));

/** The Delete of a relation's outlook entry (it must exist: the relation's `outlookAt` named it). */
export const deleteOutlookEntry = (followeeId: string, at: string, followerId: string): TransactItem =>
  deleteOf(keys.outlookEntry(followeeId, at, followerId), { ConditionExpression: "attribute_exists(pk)" });
