// The union of every item the table stores, keyed by `entityType`. A write takes a member of it (shared/db/
// requests.ts, transactions.ts, batch.ts), so an item that no entity's mapping made does not compile; each
// member comes from its entity's mapping module in shared/db/entities/. Adding an entity: its key builder in
// keys.ts and its `entityTypes` name, its mapping module, and its member here (docs/data-model.md, "Entities and
// their mappings").
import type { AccountItem } from "./entities/account";
import type { CleanupRunItem, CountChangeItem, RunLeaseItem } from "./entities/cleanup-run";
import type { CommentIndexEntryItem, CommentItem } from "./entities/comment";
import type { DryRunScratchItem } from "./entities/dry-run-scratch";
import type { FollowItem, FollowerEntryItem, FollowingEntryItem } from "./entities/follow";
import type { FollowerCountShardItem } from "./entities/follower-count-shard";
import type { FollowerHistoryPointItem } from "./entities/follower-history-point";
import type { HandleClaimItem } from "./entities/handle-claim";
import type { IdempotencyRecordItem } from "./entities/idempotency-record";
import type { MigrationCheckpointItem } from "./entities/migration-checkpoint";
import type { PendingDeletionItem } from "./entities/pending-deletion";
import type { PostBodyItem, PostSummaryItem } from "./entities/post";
import type { QueuedNoticeItem } from "./entities/queued-notice";
import type { RateCounterItem } from "./entities/rate-counter";
import type { RunTallyItem } from "./entities/run-tally";
import type {
  DeactivatedByRunItem,
  DormantAccountItem,
  DormantRelationItem,
  OutlookEntryItem,
  RestoringAccountItem,
} from "./entities/second-chance";
import type { OutlookSyncItem } from "./entities/outlook-sync";
import type { TouchedAccountItem } from "./entities/touched-account";
import type { EntityType } from "./keys";

export type StoredItem =
  | AccountItem
  | FollowerCountShardItem
  | HandleClaimItem
  | PostSummaryItem
  | PostBodyItem
  | CommentItem
  | CommentIndexEntryItem
  | IdempotencyRecordItem
  | FollowItem
  | FollowerEntryItem
  | FollowingEntryItem
  | RateCounterItem
  | CleanupRunItem
  | RunLeaseItem
  | CountChangeItem
  | PendingDeletionItem
  | TouchedAccountItem
  | DryRunScratchItem
  | FollowerHistoryPointItem
  | QueuedNoticeItem
  | RunTallyItem
  | MigrationCheckpointItem
  | DormantRelationItem
  | OutlookEntryItem
  | DormantAccountItem
  | RestoringAccountItem
  | OutlookSyncItem
  | DeactivatedByRunItem;

// Every entity of keys.ts has exactly one member here, and every member names an entity of keys.ts.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type _EveryEntityHasAnItem = Assert<Same<StoredItem["entityType"], EntityType>>;
