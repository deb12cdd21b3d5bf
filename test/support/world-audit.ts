// The audit's checker (shared/domain/audit.ts) on the items of a few accounts and posts (their dormant relations and
// second-chance registry entries included): what the ordering harness
// checks after each ordering, on the small world that ordering ran in, instead of a Scan of the whole table. The
// items are read strongly consistently, partition by partition, and made into facts by the audit's own mapping.
import { factOf } from "../../shared/db/audit-store";
import { cleanupKeys, collections, keys } from "../../shared/db/keys";
import { checkInvariants, indexFacts, type TableFact } from "../../shared/domain/audit";
import { findingLine } from "../../shared/use-cases/audit";
import { storedItems } from "./storage";

/** The accounts (with the handles they were created with) and the posts (ULIDs) of a world. */
export interface WorldIds {
  users: readonly string[];
  handles: readonly string[];
  posts: readonly string[];
}

/** Every partition that holds something of the world's accounts and posts. */
function worldPartitions(ids: WorldIds): string[] {
  return [
    ...ids.users.flatMap((userId) => [
      keys.account(userId).pk,
      collections.followerRowsOf(userId).pk,
      collections.followingRowsOf(userId).pk,
      collections.outlookOf(userId).pk,
      collections.dormantRelationsOf(userId).pk,
    ]),
    ...ids.handles.map((handle) => keys.handle(handle).pk),
    ...ids.posts.map((postUlid) => keys.postBody(postUlid, "free").pk),
  ];
}

/** What the audit finds wrong with the world, one line per finding (empty: every invariant holds). */
export async function worldFindings(ids: WorldIds, now = new Date()): Promise<string[]> {
  const users = new Set(ids.users);
  const [own, pending, outbox, syncs, lease, dormant, restoring] = await Promise.all([
    Promise.all(worldPartitions(ids).map((pk) => storedItems(collections.wholePartition(pk)))),
    storedItems(collections.pendingDeletions()),
    storedItems(collections.queuedNotices()),
    storedItems(collections.outlookSyncs()),
    storedItems(collections.wholePartition(cleanupKeys.lease().pk)),
    // A deactivated account's entry by the end of its grace, and a restore's registry entry (contract 1.2).
    storedItems(collections.wholePartition(cleanupKeys.dormant("", "").pk)),
    storedItems(collections.restoringAccounts()),
  ]);
  const ofWorld = (item: { userId?: unknown }) => typeof item.userId === "string" && users.has(item.userId);
  const facts = [
    ...own.flat(),
    ...pending.filter(ofWorld),
    ...outbox.filter(ofWorld),
    ...syncs.filter(ofWorld),
    ...lease,
    ...dormant.filter(ofWorld),
    ...restoring.filter(ofWorld),
  ].flatMap((item): TableFact[] => {
    const fact = factOf(item);
    return fact ? [fact] : [];
  });
  return checkInvariants(indexFacts(facts, now)).map(findingLine);
}
