import type { TableFact } from "../domain/audit";
import { decodePostId } from "../domain/posts";
import { readKey, type RawItem } from "./attributes";
import { fromAccountItem } from "./entities/account";
import { fromRunLeaseItem } from "./entities/cleanup-run";
import { fromCommentIndexEntryItem, fromCommentItem } from "./entities/comment";
import { fromFollowItem } from "./entities/follow";
import { fromFollowerCountShardItem } from "./entities/follower-count-shard";
import { fromHandleClaimItem } from "./entities/handle-claim";
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
      const { userId, handle, followerCount, followingCount, postCount } = profile.account;
      return {
        kind: "account",
        userId,
        handle,
        profileFollowerCount: followerCount,
        followingCount,
        postCount,
        deletionBegun: profile.deletion !== null,
        notices: profile.notices,
      };
    }
    case entityTypes.followerCountShard:
      return { kind: "followerCountShard", ...fromFollowerCountShardItem(item)! };
    case entityTypes.handle:
      return { kind: "handleClaim", handle: claimedHandleOf(keyOf(item)), userId: fromHandleClaimItem(item)! };
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
      return { kind: "followItem", item: kind, relation: fromFollowItem(item)! };
    }
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
