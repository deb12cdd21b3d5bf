// An outlook sync (docs/data-model.md, "the follower outlook"): CLEANUP#OUTLOOK USER#<id>, a sync of outlook entries
// cut short, which a cleanup run's search finds again (`outlookSyncPage`). A module of its own, not second-chance.ts:
// the account and notice stores put it when a caller's notices are withdrawn, and every function that imports them
// would otherwise load the whole second-chance entity at init (esbuild gives a whole module to every chunk that
// imports it).
import { cleanupKeys, entityTypes, type ItemKey } from "../keys";

export interface OutlookSyncItem extends ItemKey {
  entityType: typeof entityTypes.outlookSync;
  userId: string;
}

export const toOutlookSyncItem = (userId: string): OutlookSyncItem => ({
  ...cleanupKeys.outlookSync(userId),
  entityType: entityTypes.outlookSync,
  userId,
});
