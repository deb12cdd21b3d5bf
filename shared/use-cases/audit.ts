import { getStoredAccountState } from "../db/account-store";
import { scanTableFacts, type ScanProgress } from "../db/audit-store";
import { countCommentsOfPost, countLivePosts, storeCommentCount, storePostCount } from "../db/content-count-store";
import { countFollowers, countFollowing } from "../db/follow-read-store";
import { recountPointItems } from "../db/follower-history-store";
import { getPostSummary } from "../db/post-store";
import { checkInvariants, indexFacts, isCountDrift, type CountDrift, type Finding } from "../domain/audit";
import { decodePostId } from "../domain/posts";
import { ulid } from "../ids";
import { untilDone } from "../db/retry";
import { recountAccount, RECOUNT_BUDGET } from "./account-recount";

// The operator's audit (`npm run audit`, infra/local/audit.ts): reads the whole table, checks every invariant of
// the data model (shared/domain/audit.ts), confirms each drifted count with strongly consistent reads (the Scan is
// eventually consistent and no snapshot: a count may have moved with its relation while the segments were read),
// and with `fix` repairs the counts with the recounts the cleanup uses.

export interface AuditOptions {
  /** Parallel segments of the Scan. */
  segments: number;
  /** Repair drifted counts (follower, following, post and comment counts). */
  fix: boolean;
  now?: Date;
  onScanPage?: (progress: ScanProgress) => void;
}

export interface AuditReport {
  /** Names this audit; with `fix`, the `runId` of the follower history points it adds (reason `recount`). */
  auditId: string;
  at: string;
  itemsScanned: number;
  /** A cleanup run held its lease: accounts it is deleting are not reported half-deleted. */
  cleanupRunning: boolean;
  /** What is wrong, confirmed: count drifts first, then broken references and unfinished deletions. */
  findings: Finding[];
  /** The count drifts `fix` repaired (the counts as found, and as stored now). */
  repaired: CountDrift[];
}

/** Rounds of read, count and conditional write (with the backoff between) before a post or comment recount gives up (503). */
async function untilStored(round: () => Promise<boolean>): Promise<void> {
  await untilDone(async () => ((await round()) ? true : undefined), RECOUNT_BUDGET);
}

/** A stored count as read now, with the versions of the items it is read from; null: gone or being deleted. */
async function storedCount(drift: CountDrift): Promise<{ stored: number; versions: string } | null> {
  if (drift.invariant === "commentCount") {
    const ref = decodePostId(drift.postId ?? "");
    const post = ref && (await getPostSummary(ref));
    return post && !post.deleting ? { stored: post.summary.commentCount, versions: String(post.countVersion) } : null;
  }
  const state = await getStoredAccountState(drift.userId);
  if (!state || state.deletion) return null;
  const { account } = state;
  const stored =
    drift.invariant === "postCount"
      ? account.postCount
      : drift.invariant === "followerCount"
        ? account.followerCount
        : account.followingCount;
  const shards = state.shardCounts.map(({ shard, countVersion }) => `${shard}:${countVersion}`);
  return { stored, versions: [account.createdAt, state.profileCountVersion, ...shards].join() };
}

/** What a count counts, now (strongly consistent Queries). */
function countOf(drift: CountDrift): Promise<number> {
  if (drift.invariant === "commentCount") return countCommentsOfPost(decodePostId(drift.postId ?? "")!);
  if (drift.invariant === "postCount") return countLivePosts(drift.userId);
  return drift.invariant === "followerCount" ? countFollowers(drift.userId) : countFollowing(drift.userId);
}

/**
 * A count as it is now: [stored, expected], or null when its item is gone or being deleted. The stored count is
 * read before and after counting: only when no count write moved a version in between (the count guard) were the
 * two figures true at one instant; otherwise a follow or a comment landed meanwhile, and it is read again.
 */
function currentCount(drift: CountDrift): Promise<[number, number] | null> {
  return untilDone(async () => {
    const before = await storedCount(drift);
    if (!before) return null;
    const counted = await countOf(drift);
    const after = await storedCount(drift);
    if (!after) return null;
    return after.versions === before.versions ? [before.stored, counted] : undefined;
  }, RECOUNT_BUDGET);
}

/** The drifts that are still there when read again strongly consistently, with the figures read then. */
async function confirmed(drifts: readonly CountDrift[]): Promise<CountDrift[]> {
  const checked = await Promise.all(
    drifts.map(async (drift) => {
      const now = await currentCount(drift);
      return now && now[0] !== now[1] ? [{ ...drift, stored: now[0], expected: now[1] }] : [];
    }),
  );
  return checked.flat();
}

async function repair(drift: CountDrift, auditId: string, at: string): Promise<void> {
  if (drift.invariant === "followerCount" || drift.invariant === "followingCount") {
    await recountAccount(drift.userId, (recount) =>
      recount && recount.stored.followers !== recount.counted.followers
        ? recountPointItems(
            auditId,
            { userId: drift.userId, before: recount.stored.followers, after: recount.counted.followers },
            at,
          )
        : [],
    );
    return;
  }
  if (drift.invariant === "postCount") {
    await untilStored(async () => {
      const state = await getStoredAccountState(drift.userId);
      if (!state || state.deletion) return true;
      const counted = await countLivePosts(drift.userId);
      return counted === state.account.postCount || storePostCount(state, counted);
    });
    return;
  }
  const ref = decodePostId(drift.postId ?? "");
  if (!ref) return;
  await untilStored(async () => {
    const post = await getPostSummary(ref);
    if (!post || post.deleting) return true;
    const counted = await countCommentsOfPost(ref);
    return counted === post.summary.commentCount || storeCommentCount(post, counted);
  });
}

/** Audits the configured table; with `fix`, repairs every confirmed count drift (one recount per account). */
export async function auditTable(options: AuditOptions): Promise<AuditReport> {
  const now = options.now ?? new Date();
  const auditId = ulid(now.getTime());
  const { facts, scanned } = await scanTableFacts(options.segments, options.onScanPage);
  const index = indexFacts(facts, now);
  const found = checkInvariants(index);
  const counts = found.filter(isCountDrift);
  const others = found.filter((finding) => !isCountDrift(finding));
  const report = { auditId, at: now.toISOString(), itemsScanned: scanned, cleanupRunning: index.cleanupRunning };
  if (!options.fix) return { ...report, findings: [...(await confirmed(counts)), ...others], repaired: [] };
  const { left, repaired } = await fixCountDrifts(counts, auditId, report.at);
  return { ...report, findings: [...left, ...others], repaired };
}

/**
 * `--fix` for the count drifts a Scan found: each is read again strongly consistently, repaired when it is still
 * there (one recount per account for its follower and following counts; a history point with the audit's ID as
 * `runId` where a follower count changes), and read again. Answers the drifts left and those repaired.
 */
export async function fixCountDrifts(
  found: readonly CountDrift[],
  auditId: string,
  at: string,
): Promise<{ left: CountDrift[]; repaired: CountDrift[] }> {
  const drifts = await confirmed(found);
  // A follower and a following drift of one account are one recount.
  const recounted = new Set<string>();
  for (const drift of drifts) {
    const follows = drift.invariant === "followerCount" || drift.invariant === "followingCount";
    if (follows && recounted.has(drift.userId)) continue;
    if (follows) recounted.add(drift.userId);
    await repair(drift, auditId, at);
  }
  const left = await confirmed(drifts);
  const leftKey = (drift: CountDrift) => `${drift.invariant}/${drift.userId}/${drift.postId ?? ""}`;
  const unrepaired = new Set(left.map(leftKey));
  return { left, repaired: drifts.filter((drift) => !unrepaired.has(leftKey(drift))) };
}

/** One line of the report for a finding: the account's ID, and for a count what is stored against what is counted. */
export function findingLine(finding: Finding): string {
  if (isCountDrift(finding)) {
    const post = finding.postId ? ` (post ${finding.postId})` : "";
    return `drift: ${finding.invariant} of ${finding.userId}${post}: stored ${finding.stored}, expected ${finding.expected}`;
  }
  return `broken: ${finding.invariant}${finding.userId ? ` of ${finding.userId}` : ""}: ${finding.detail}`;
}
