import type { PostAccess } from "./access";
import type { ScheduledNotice } from "./deletion-schedule";
import type { FollowRelation } from "./follow";

// The audit's checker: every invariant docs/data-model.md promises of the stored items, as plain functions over
// what a Scan of the table found (`TableFact`s, made by shared/db/audit-store.ts from the entities' mappings). No
// AWS here: `npm run audit` feeds it the whole table, the tests use it as their oracle.
//
// Each invariant is one entry of `invariants`: a name, what it promises, and a check that reads the indexed facts
// and answers its findings. A new promise of the data model (the notice schedule of issue 12, say) is one more fact
// kind in `TableFact` (and its mapping in the audit store) and one more entry here.

/** What the audit knows of one stored item; items no invariant reads (records, counters, run reports) are left out. */
export type TableFact =
  | {
      kind: "account";
      userId: string;
      handle: string;
      /** The profile's own follower count (the shards add to it). */
      profileFollowerCount: number;
      followingCount: number;
      postCount: number;
      /** Set once its deletion began (by a cleanup run or its owner). */
      deletionBegun: boolean;
      /** Its current schedule of notices before deletion, oldest first (empty: none runs). */
      notices: readonly ScheduledNotice[];
    }
  | { kind: "followerCountShard"; userId: string; shard: number; count: number }
  | { kind: "handleClaim"; handle: string; userId: string }
  | {
      kind: "post";
      authorId: string;
      postUlid: string;
      postId: string;
      commentCount: number;
      deleting: boolean;
      access: PostAccess;
      /** Null for a post stored before 1.1, whose body is still on its summary. */
      bodyRevision: number | null;
    }
  | { kind: "postBody"; postUlid: string; access: PostAccess; revision: number }
  | { kind: "comment"; postUlid: string; commentId: string; authorId: string | null }
  | { kind: "commentIndexEntry"; writerId: string; commentId: string; postUlid: string | null }
  | { kind: "followItem"; item: "relation" | "followerRow" | "followingRow"; relation: FollowRelation }
  | { kind: "pendingDeletion"; userId: string }
  | { kind: "cleanupLease"; runId: string; leaseUntil: string }
  | { kind: "queuedNotice"; userId: string; lead: string; recordedAt: string };

type CountName = "followerCount" | "followingCount" | "postCount" | "commentCount";

/** A stored count that does not equal what it counts. `--fix` repairs these. */
export interface CountDrift {
  invariant: CountName;
  /** The account whose count drifted (for `commentCount`: the post's author). */
  userId: string;
  /** For `commentCount`: the post. */
  postId?: string;
  stored: number;
  expected: number;
}

/** An item without what it points to, or an unfinished deletion: repaired by the route or run the detail names. */
interface BrokenReference {
  invariant: string;
  userId?: string;
  detail: string;
}

export type Finding = CountDrift | BrokenReference;

export const isCountDrift = (finding: Finding): finding is CountDrift => "stored" in finding;

/** The facts of a table, indexed the way the invariants read them. */
export interface TableIndex {
  accounts: Map<string, Extract<TableFact, { kind: "account" }>>;
  shardTotals: Map<string, number>;
  shards: Extract<TableFact, { kind: "followerCountShard" }>[];
  claims: Extract<TableFact, { kind: "handleClaim" }>[];
  posts: Map<string, Extract<TableFact, { kind: "post" }>>;
  bodies: Extract<TableFact, { kind: "postBody" }>[];
  comments: Map<string, Extract<TableFact, { kind: "comment" }>>;
  commentsPerPost: Map<string, number>;
  indexEntries: Map<string, Extract<TableFact, { kind: "commentIndexEntry" }>>;
  /** Follow items by followId, each of the three kinds. */
  follows: Map<string, Partial<Record<"relation" | "followerRow" | "followingRow", FollowRelation>>>;
  pending: Set<string>;
  /** Queued notices (the outbox) by account: at most one each. */
  queuedNotices: Map<string, Extract<TableFact, { kind: "queuedNotice" }>[]>;
  /** Whether a cleanup run holds an unexpired lease: a run under way may hold accounts half-deleted. */
  cleanupRunning: boolean;
}

const add = (map: Map<string, number>, key: string, by: number) => map.set(key, (map.get(key) ?? 0) + by);
const commentKey = (postUlid: string, commentId: string) => `${postUlid}/${commentId}`;

/** Indexes what a Scan found; `now` decides whether a stored cleanup lease is still held. */
export function indexFacts(facts: Iterable<TableFact>, now: Date): TableIndex {
  const index: TableIndex = {
    accounts: new Map(),
    shardTotals: new Map(),
    shards: [],
    claims: [],
    posts: new Map(),
    bodies: [],
    comments: new Map(),
    commentsPerPost: new Map(),
    indexEntries: new Map(),
    follows: new Map(),
    pending: new Set(),
    queuedNotices: new Map(),
    cleanupRunning: false,
  };
  for (const fact of facts) {
    switch (fact.kind) {
      case "account":
        index.accounts.set(fact.userId, fact);
        break;
      case "followerCountShard":
        index.shards.push(fact);
        add(index.shardTotals, fact.userId, fact.count);
        break;
      case "handleClaim":
        index.claims.push(fact);
        break;
      case "post":
        index.posts.set(fact.postUlid, fact);
        break;
      case "postBody":
        index.bodies.push(fact);
        break;
      case "comment":
        index.comments.set(commentKey(fact.postUlid, fact.commentId), fact);
        add(index.commentsPerPost, fact.postUlid, 1);
        break;
      case "commentIndexEntry":
        index.indexEntries.set(fact.commentId, fact);
        break;
      case "followItem":
        index.follows.set(fact.relation.followId, {
          ...index.follows.get(fact.relation.followId),
          [fact.item]: fact.relation,
        });
        break;
      case "pendingDeletion":
        index.pending.add(fact.userId);
        break;
      case "cleanupLease":
        index.cleanupRunning = Date.parse(fact.leaseUntil) > now.getTime();
        break;
      case "queuedNotice":
        index.queuedNotices.set(fact.userId, [...(index.queuedNotices.get(fact.userId) ?? []), fact]);
        break;
    }
  }
  return index;
}

/** The relations of the index: each follow whose relation item exists (its rows are checked apart). */
function relationsOf(index: TableIndex): FollowRelation[] {
  return [...index.follows.values()].flatMap((items) => (items.relation ? [items.relation] : []));
}

function countBy(relations: readonly FollowRelation[], side: "followerId" | "followeeId"): Map<string, number> {
  const counts = new Map<string, number>();
  for (const relation of relations) add(counts, relation[side], 1);
  return counts;
}

/** An account being deleted: marked, or with a pending deletion. */
const beingDeleted = (index: TableIndex, userId: string): boolean =>
  index.accounts.get(userId)?.deletionBegun === true || index.pending.has(userId);

/** Every account whose stored count (`storedOf`) differs from what was counted of it. */
function accountCountDrifts(
  index: TableIndex,
  invariant: "followerCount" | "followingCount" | "postCount",
  counted: Map<string, number>,
  storedOf: (account: Extract<TableFact, { kind: "account" }>) => number,
): Finding[] {
  return [...index.accounts.values()].flatMap((account) => {
    const stored = storedOf(account);
    const expected = counted.get(account.userId) ?? 0;
    return stored === expected ? [] : [{ invariant, userId: account.userId, stored, expected }];
  });
}

export interface Invariant {
  name: string;
  /** The promise, as docs/data-model.md and the runbook state it. */
  promise: string;
  check(index: TableIndex): Finding[];
}

export const invariants: readonly Invariant[] = [
  {
    name: "followerCount",
    promise: "An account's follower count (its profile's plus every shard's) equals the relations that follow it.",
    check: (index) =>
      accountCountDrifts(
        index,
        "followerCount",
        countBy(relationsOf(index), "followeeId"),
        (account) => account.profileFollowerCount + (index.shardTotals.get(account.userId) ?? 0),
      ),
  },
  {
    name: "followingCount",
    promise: "An account's following count equals the relations it made.",
    check: (index) =>
      accountCountDrifts(
        index,
        "followingCount",
        countBy(relationsOf(index), "followerId"),
        (account) => account.followingCount,
      ),
  },
  {
    name: "postCount",
    promise: "An account's post count equals its posts whose deletion has not begun.",
    check(index) {
      const counted = new Map<string, number>();
      for (const post of index.posts.values()) if (!post.deleting) add(counted, post.authorId, 1);
      return accountCountDrifts(index, "postCount", counted, (account) => account.postCount);
    },
  },
  {
    name: "commentCount",
    promise: "A post's comment count equals its comments (posts being deleted lose theirs without counting).",
    check(index) {
      return [...index.posts.values()].flatMap((post) => {
        const expected = index.commentsPerPost.get(post.postUlid) ?? 0;
        return post.deleting || post.commentCount === expected
          ? []
          : [
              {
                invariant: "commentCount",
                userId: post.authorId,
                postId: post.postId,
                stored: post.commentCount,
                expected,
              },
            ];
      });
    },
  },
  {
    name: "followEdge",
    promise: "A follow is its relation and its two list rows, all three or none, between two accounts that exist.",
    check(index) {
      return [...index.follows.entries()].flatMap(([followId, items]) => {
        const relation = items.relation ?? items.followerRow ?? items.followingRow!;
        const missing = (["relation", "followerRow", "followingRow"] as const).filter((item) => !items[item]);
        const gone = [relation.followerId, relation.followeeId].filter((userId) => !index.accounts.has(userId));
        const findings: Finding[] = [];
        if (missing.length > 0) {
          findings.push({
            invariant: "followEdge",
            userId: relation.followeeId,
            detail: `follow ${followId} of ${relation.followerId} lacks its ${missing.join(", ")}`,
          });
        }
        if (gone.length > 0) {
          findings.push({
            invariant: "followEdge",
            userId: gone[0]!,
            detail: `follow ${followId} (${relation.followerId} → ${relation.followeeId}) names a missing account ${gone.join(", ")}`,
          });
        }
        return findings;
      });
    },
  },
  {
    name: "commentIndexEntry",
    promise: "A writer's comment index entry names a comment that exists and still names that writer.",
    check(index) {
      return [...index.indexEntries.values()].flatMap((entry) => {
        const comment =
          entry.postUlid === null ? undefined : index.comments.get(commentKey(entry.postUlid, entry.commentId));
        if (comment?.authorId === entry.writerId) return [];
        // An anonymization in progress deletes the entries after nulling the comments' writer.
        if (comment && comment.authorId === null && beingDeleted(index, entry.writerId)) return [];
        return [
          {
            invariant: "commentIndexEntry",
            userId: entry.writerId,
            detail: `index entry of comment ${entry.commentId} ${comment ? "names a comment of another writer" : "names no comment"}`,
          },
        ];
      });
    },
  },
  {
    name: "commentWriter",
    promise: "A comment belongs to a post that exists; its writer, unless anonymized, exists and has its index entry.",
    check(index) {
      return [...index.comments.values()].flatMap((comment) => {
        const findings: Finding[] = [];
        const post = index.posts.get(comment.postUlid);
        if (!post)
          findings.push({
            invariant: "commentWriter",
            detail: `comment ${comment.commentId} has no post ${comment.postUlid}`,
          });
        // A post's deletion deletes the writers' index entries before the comments (deletionFinished reports it).
        if (comment.authorId !== null && !post?.deleting) {
          if (!index.accounts.has(comment.authorId)) {
            findings.push({
              invariant: "commentWriter",
              userId: comment.authorId,
              detail: `comment ${comment.commentId} names a writer without an account`,
            });
          } else if (index.indexEntries.get(comment.commentId)?.writerId !== comment.authorId) {
            findings.push({
              invariant: "commentWriter",
              userId: comment.authorId,
              detail: `comment ${comment.commentId} lacks its writer's index entry`,
            });
          }
        }
        return findings;
      });
    },
  },
  {
    name: "handleClaim",
    promise: "Each account holds the claim of its handle, and each claim is held by the account whose handle it is.",
    check(index) {
      const claimed = new Map(index.claims.map((claim) => [claim.handle, claim.userId]));
      const findings: Finding[] = index.claims.flatMap((claim) =>
        index.accounts.get(claim.userId)?.handle.toLowerCase() === claim.handle
          ? []
          : [
              {
                invariant: "handleClaim",
                userId: claim.userId,
                detail: `handle claim "${claim.handle}" names an account that does not hold that handle`,
              },
            ],
      );
      for (const account of index.accounts.values()) {
        if (claimed.get(account.handle.toLowerCase()) !== account.userId) {
          findings.push({
            invariant: "handleClaim",
            userId: account.userId,
            detail: `the account's handle "${account.handle}" is not claimed by it`,
          });
        }
      }
      return findings;
    },
  },
  {
    name: "postBody",
    promise: "A post body belongs to a post; a post's body lies under its access at its revision, and nowhere else.",
    check(index) {
      const findings: Finding[] = [];
      const bodiesOf = new Map<string, Extract<TableFact, { kind: "postBody" }>[]>();
      for (const body of index.bodies) bodiesOf.set(body.postUlid, [...(bodiesOf.get(body.postUlid) ?? []), body]);
      for (const postUlid of bodiesOf.keys()) {
        if (!index.posts.has(postUlid))
          findings.push({ invariant: "postBody", detail: `body of post ${postUlid} has no post` });
      }
      for (const post of index.posts.values()) {
        if (post.deleting || post.bodyRevision === null) continue;
        const bodies = bodiesOf.get(post.postUlid) ?? [];
        const right =
          bodies.length === 1 && bodies[0]!.access === post.access && bodies[0]!.revision === post.bodyRevision;
        if (!right)
          findings.push({
            invariant: "postBody",
            userId: post.authorId,
            detail: `post ${post.postId} has ${bodies.length} body items, not one under ${post.access} at revision ${post.bodyRevision}`,
          });
      }
      return findings;
    },
  },
  {
    name: "followerCountShard",
    promise: "A follower-count shard belongs to an account that exists.",
    check(index) {
      return index.shards.flatMap((shard) =>
        index.accounts.has(shard.userId)
          ? []
          : [{ invariant: "followerCountShard", userId: shard.userId, detail: `shard ${shard.shard} has no account` }],
      );
    },
  },
  {
    name: "deletionFinished",
    promise: "No account is half-deleted and no post deletion is left unfinished, outside a running cleanup.",
    check(index) {
      if (index.cleanupRunning) return [];
      const halfDeleted = new Set([
        ...index.pending,
        ...[...index.accounts.values()].filter((account) => account.deletionBegun).map((account) => account.userId),
      ]);
      const findings: Finding[] = [...halfDeleted].map((userId) => ({
        invariant: "deletionFinished",
        userId,
        detail: "the account's deletion began and did not finish (the next cleanup run finishes it: npm run cleanup)",
      }));
      for (const post of index.posts.values()) {
        if (post.deleting && !halfDeleted.has(post.authorId)) {
          findings.push({
            invariant: "deletionFinished",
            userId: post.authorId,
            detail: `the deletion of post ${post.postId} began and did not finish (DELETE it again)`,
          });
        }
      }
      return findings;
    },
  },
  {
    name: "noticeSchedule",
    promise:
      "An account's notices before deletion go out in order: each lead shorter than the one before, each recorded after the one before went out, only the newest still waiting to go out.",
    check(index) {
      return [...index.accounts.values()].flatMap((account) =>
        scheduleFaults(account.notices).map((detail) => ({
          invariant: "noticeSchedule",
          userId: account.userId,
          detail,
        })),
      );
    },
  },
  {
    name: "queuedNotice",
    promise:
      "A notice waits in the outbox exactly while its account's schedule holds it unsent: one queued message per unsent notice, none else.",
    check(index) {
      const findings: Finding[] = [];
      for (const [userId, queued] of index.queuedNotices) {
        // The owner's DELETE /me leaves a queued notice behind; the next cleanup run drops it unsent.
        if (!index.accounts.has(userId) || beingDeleted(index, userId)) continue;
        const waiting = unsentNewest(index.accounts.get(userId)?.notices ?? []);
        for (const notice of queued) {
          if (!waiting || waiting.lead.text !== notice.lead || waiting.recordedAt !== notice.recordedAt) {
            findings.push({
              invariant: "queuedNotice",
              userId,
              detail: `queued notice ${notice.lead} of ${notice.recordedAt} is not an unsent notice of the account's schedule`,
            });
          }
        }
        if (queued.length > 1)
          findings.push({
            invariant: "queuedNotice",
            userId,
            detail: `${queued.length} notices queued for one account`,
          });
      }
      for (const account of index.accounts.values()) {
        const unsent = unsentNewest(account.notices);
        if (unsent && !index.queuedNotices.has(account.userId)) {
          findings.push({
            invariant: "queuedNotice",
            userId: account.userId,
            detail: `notice ${unsent.lead.text} of ${unsent.recordedAt} is unsent and has no queued message`,
          });
        }
      }
      return findings;
    },
  },
];

/** The schedule's newest notice while it waits to go out (only the newest may: see `scheduleFaults`). */
const unsentNewest = (notices: readonly ScheduledNotice[]): ScheduledNotice | undefined => {
  const newest = notices.at(-1);
  return newest?.sentAt === undefined ? newest : undefined;
};

/** What is out of order in one account's schedule (empty: nothing). */
function scheduleFaults(notices: readonly ScheduledNotice[]): string[] {
  const faults: string[] = [];
  notices.forEach((notice, position) => {
    const previous = notices[position - 1];
    if (notice.sentAt !== undefined && notice.sentAt < notice.recordedAt)
      faults.push(`notice ${notice.lead.text} went out before it was recorded`);
    if (!previous) return;
    if (notice.lead.ms >= previous.lead.ms)
      faults.push(`notice ${notice.lead.text} follows ${previous.lead.text}, whose lead is not longer`);
    if (previous.sentAt === undefined)
      faults.push(`notice ${notice.lead.text} was recorded while ${previous.lead.text} had not gone out`);
    else if (notice.recordedAt < previous.sentAt)
      faults.push(`notice ${notice.lead.text} was recorded before ${previous.lead.text} went out`);
  });
  return faults;
}

/** Every finding of every invariant, in the order of `invariants`. */
export function checkInvariants(index: TableIndex, checks: readonly Invariant[] = invariants): Finding[] {
  return checks.flatMap((invariant) => invariant.check(index));
}
