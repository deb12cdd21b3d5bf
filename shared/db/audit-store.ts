import type { TableFact } from "../domain/audit";
import { decodePostId } from "../domain/posts";
import { readKey, type RawItem } from "./attributes";
import { fromAccountItem, isDeactivation } from "./entities/account";
import { fromRunLeaseItem } from "./entities/cleanup-run";
import { fromCommentIndexEntryItem, fromCommentItem } from "./entities/comment";
import { fromFollowItem, fromRelationItem } from "./entities/follow";
import { fromFollowerCountShardItem } from "./entities/follower-count-shard";
import { readHandleClaim } from "./entities/handle-claim";
import {
  dormantAccount,
  fromDormantRelationItem,
  fromOutlookEntryItem,
  fromRestoringAccountItem,
  registeredAccount,
} from "./entities/second-chance";
import { fromPendingDeletionItem } from "./entities/pending-deletion";
import { fromPostBodyItem, fromPostSummaryItem } from "./entities/post";
import { fromQueuedNoticeItem } from "./entities/queued-notice";
import { claimedHandleOf, entityTypes, postUlidOfPartition, userIdOfPartition } from "./keys";
import { scanPages } from "./requests";

// The audit's read of the whole table (`npm run audit`, docs/data-model.md "Audit"): a Scan in parallel segments,
// each item read by its entity's mapping into what the checker (shared/domain/audit.ts) knows of it. Operators
// only: no function is granted Scan.

const keyOf = readKey;

/** What the audit knows of one stored item; null for items no invariant reads. */
export function factOf(item: RawItem): TableFact | null {
  switch (item.entityType) {
    case entityTypes.account: {
      const profile = fromAccountItem(item)!;
      const { userId, handle, followerCount, followingCount, postCount, createdAt, lastActiveAt } = profile.account;
      const mark = profile.deletion;
      return {
        kind: "account",
        userId,
        handle,
        createdAt,
        lastActiveAt,
        profileFollowerCount: followerCount,
        followingCount,
        postCount,
        profileUnderNotice: typeof item.underNotice === "number" ? item.underNotice : 0,
        deletionBegun: mark !== null && !isDeactivation(mark),
        deactivation: isDeactivation(mark) ? mark.phase : null,
        restoring: profile.restoring !== null,
        outlook: profile.outlook,
        notices: profile.notices,
        noticeQueued: profile.queuedNotice !== null,
      };
    }
    case entityTypes.followerCountShard:
      return { kind: "followerCountShard", ...fromFollowerCountShardItem(item)! };
    case entityTypes.handle:
      return { kind: "handleClaim", handle: claimedHandleOf(keyOf(item)), ...readHandleClaim(item) };
    case entityTypes.post: {
      const { ref, summary, deleting, bodyRevision } = fromPostSummaryItem(item)!;
      return {
        kind: "post",
        authorId: ref.authorId,
        postUlid: ref.id,
        postId: summary.postId,
        commentCount: summary.commentCount,
        deleting,
        access: summary.access,
        bodyRevision,
      };
    }
    case entityTypes.postBody: {
      const body = fromPostBodyItem(item)!;
      return {
        kind: "postBody",
        postUlid: postUlidOfPartition(keyOf(item)),
        access: body.access,
        revision: body.revision,
      };
    }
    case entityTypes.comment: {
      const comment = fromCommentItem(item)!;
      return {
        kind: "comment",
        postUlid: postUlidOfPartition(keyOf(item)),
        commentId: comment.commentId,
        authorId: comment.authorId,
        dormantAuthorId: typeof item.dormantAuthorId === "string" ? item.dormantAuthorId : null,
      };
    }
    case entityTypes.commentByWriter: {
      const entry = fromCommentIndexEntryItem(item)!;
      return {
        kind: "commentIndexEntry",
        writerId: userIdOfPartition(keyOf(item)),
        commentId: entry.commentId,
        postUlid: decodePostId(entry.postId)?.id ?? null,
      };
    }
    case entityTypes.follow:
    case entityTypes.followerEntry:
    case entityTypes.followingEntry: {
      const kind =
        item.entityType === entityTypes.follow
          ? "relation"
          : item.entityType === entityTypes.followerEntry
            ? "followerRow"
            : "followingRow";
      const state = kind === "relation" ? fromRelationItem(item)! : null;
      return {
        kind: "followItem",
        item: kind,
        relation: fromFollowItem(item)!,
        dormantUnder: state?.dormantUnder ?? null,
        outlookAt: state?.outlookAt ?? null,
      };
    }
    case entityTypes.dormantRelation:
      return {
        kind: "dormantRelation",
        holderId: keyOf(item).pk.slice("DORMANT#".length),
        relation: fromDormantRelationItem(item)!,
      };
    case entityTypes.outlookEntry:
      return { kind: "outlookEntry", ...fromOutlookEntryItem(item)! };
    case entityTypes.dormantAccount:
      return { kind: "dormantAccount", ...dormantAccount.read(item) };
    case entityTypes.restoringAccount:
      return { kind: "restoringAccount", userId: fromRestoringAccountItem(item)!.userId };
    case entityTypes.outlookSync:
      return { kind: "outlookSync", userId: registeredAccount.read(item) };
    case entityTypes.pendingDeletion:
      return { kind: "pendingDeletion", userId: fromPendingDeletionItem(item)!.userId };
    case entityTypes.cleanupLease:
      return { kind: "cleanupLease", ...fromRunLeaseItem(item)! };
    case entityTypes.queuedNotice: {
      const { userId, lead, recordedAt } = fromQueuedNoticeItem(item)!;
      return { kind: "queuedNotice", userId, lead, recordedAt };
    }
    default:
      return null;
  }
}

/** How far a segment of the Scan got. */
export interface ScanProgress {
  segment: number;
  pages: number;
  scanned: number;
}

/**
 * Every fact of the table: a Scan in `segments` parallel segments (each page 1 MB, eventually consistent: half a
 * read unit per 4 KB of the whole table), `onPage` called after each page of each segment.
 */
export async function scanTableFacts(
  segments: number,
  onPage: (progress: ScanProgress) => void = () => {},
): Promise<{ facts: TableFact[]; scanned: number }> {
  const perSegment = await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      const facts: TableFact[] = [];
      const progress: ScanProgress = { segment, pages: 0, scanned: 0 };
      for await (const page of scanPages({}, factOf, { segment, total: segments })) {
        facts.push(...page.items);
        progress.pages++;
        progress.scanned += page.scanned;
        onPage({ ...progress });
      }
      return { facts, scanned: progress.scanned };
    }),
  );
  return {
    facts: perSegment.flatMap((part) => part.facts),
    scanned: perSegment.reduce((sum, part) => sum + part.scanned, 0),
  };
}
