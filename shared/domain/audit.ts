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
      createdAt: string;
      lastActiveAt: string;
      /** The profile's own follower count (the shards add to it). */
      profileFollowerCount: number;
      followingCount: number;
      postCount: number;
      /** The profile's own outlook count (an account without shards keeps it there). */
      profileUnderNotice: number;
      /** Set once its deletion began (by a cleanup run or its owner): not a deactivation. */
      deletionBegun: boolean;
      /** Where its deactivation stands (contract 1.2), null when none. */
      deactivation: "deactivating" | "dormant" | "purging" | null;
      /** A restore of it is under way. */
      restoring: boolean;
      /** Where its relations' outlook entries belong (null: not under notice), and whether a sync is due. */
      outlook: { at: string | null; dirty: boolean };
      /** Its current schedule of notices before deletion, oldest first (empty: none runs). */
      notices: readonly ScheduledNotice[];
      /** Its newest notice holds the facts of its message (queued on the profile to go out). */
      noticeQueued: boolean;
    }
  | { kind: "followerCountShard"; userId: string; shard: number; count: number; underNotice: number }
  | { kind: "handleClaim"; handle: string; userId: string; quarantinedUntil: string | null }
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
  | { kind: "comment"; postUlid: string; commentId: string; authorId: string | null; dormantAuthorId: string | null }
  | { kind: "commentIndexEntry"; writerId: string; commentId: string; postUlid: string | null }
  | {
      kind: "followItem";
      item: "relation" | "followerRow" | "followingRow";
      relation: FollowRelation;
      /** A relation item's: the deactivated account that holds it dormant (null: live). */
      dormantUnder: string | null;
      /** A relation item's: its outlook entry's time (null: its follower is not under notice). */
      outlookAt: string | null;
    }
  | { kind: "dormantRelation"; holderId: string; relation: FollowRelation }
  | { kind: "outlookEntry"; followeeId: string; followerId: string; at: string }
  | { kind: "dormantAccount"; userId: string; graceUntil: string }
  | { kind: "restoringAccount"; userId: string }
  | { kind: "outlookSync"; userId: string }
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
  /** The outlook count each account's shards hold. */
  shardUnderNotice: Map<string, number>;
  shards: Extract<TableFact, { kind: "followerCountShard" }>[];
  claims: Extract<TableFact, { kind: "handleClaim" }>[];
  posts: Map<string, Extract<TableFact, { kind: "post" }>>;
  bodies: Extract<TableFact, { kind: "postBody" }>[];
  comments: Map<string, Extract<TableFact, { kind: "comment" }>>;
  commentsPerPost: Map<string, number>;
  indexEntries: Map<string, Extract<TableFact, { kind: "commentIndexEntry" }>>;
  /** Follow items by followId, each of the three kinds. */
  follows: Map<string, Partial<Record<"relation" | "followerRow" | "followingRow", FollowRelation>>>;
  /** Relation items' dormancy and outlook, by followId. */
  relationStates: Map<string, { dormantUnder: string | null; outlookAt: string | null }>;
  /** Dormant relations' index items, by followId (each should be one, under its relation's holder). */
  dormantIndex: Map<string, Extract<TableFact, { kind: "dormantRelation" }>[]>;
  outlookEntries: Extract<TableFact, { kind: "outlookEntry" }>[];
  dormantAccounts: Extract<TableFact, { kind: "dormantAccount" }>[];
  restoringEntries: Set<string>;
  outlookSyncs: Set<string>;
  /** The time the checks run at (quarantines and graces are judged against it). */
  now: string;
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
    shardUnderNotice: new Map(),
    shards: [],
    claims: [],
    posts: new Map(),
    bodies: [],
    comments: new Map(),
    commentsPerPost: new Map(),
    indexEntries: new Map(),
    follows: new Map(),
    relationStates: new Map(),
    dormantIndex: new Map(),
    outlookEntries: [],
    dormantAccounts: [],
    restoringEntries: new Set(),
    outlookSyncs: new Set(),
    now: now.toISOString(),
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
        add(index.shardUnderNotice, fact.userId, fact.underNotice);
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
        if (fact.item === "relation") {
          index.relationStates.set(fact.relation.followId, {
            dormantUnder: fact.dormantUnder,
            outlookAt: fact.outlookAt,
          });
        }
        break;
      case "dormantRelation":
        index.dormantIndex.set(fact.relation.followId, [
          ...(index.dormantIndex.get(fact.relation.followId) ?? []),
          fact,
        ]);
        break;
      case "outlookEntry":
        index.outlookEntries.push(fact);
        break;
      case "dormantAccount":
        index.dormantAccounts.push(fact);
        break;
      case "restoringAccount":
        index.restoringEntries.add(fact.userId);
        break;
      case "outlookSync":
        index.outlookSyncs.add(fact.userId);
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

/**
 * The live relations of the index: each follow whose relation item exists and is not dormant (its rows are checked
 * apart). A dormant relation counts nowhere (contract 1.2).
 */
function relationsOf(index: TableIndex): FollowRelation[] {
  return [...index.follows.values()].flatMap((items) =>
    items.relation && !index.relationStates.get(items.relation.followId)?.dormantUnder ? [items.relation] : [],
  );
}

function countBy(relations: readonly FollowRelation[], side: "followerId" | "followeeId"): Map<string, number> {
  const counts = new Map<string, number>();
  for (const relation of relations) add(counts, relation[side], 1);
  return counts;
}

/** An account being deleted: marked, or with a pending deletion (a deactivation or a purge under way too). */
const beingDeleted = (index: TableIndex, userId: string): boolean =>
  index.accounts.get(userId)?.deletionBegun === true ||
  index.accounts.get(userId)?.deactivation === "purging" ||
  index.pending.has(userId);

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

// ---------------------------------------------------------------------------------------------------------------
// Contract 1.2: a second chance, and the follower outlook (docs/data-model.md)

/** The time of a follower's outlook entry its schedule gives: its newest notice's record time plus its lead. */
function outlookTimeOf(notices: readonly ScheduledNotice[]): string | null {
  const newest = notices.at(-1);
  return newest ? new Date(Date.parse(newest.recordedAt) + newest.lead.ms).toISOString() : null;
}

/** Does the account's schedule run (recorded notices, no activity since its start)? */
function scheduleRuns(account: Extract<TableFact, { kind: "account" }>): boolean {
  const start = account.notices[0]?.recordedAt;
  return start !== undefined && Date.parse(account.lastActiveAt) < Date.parse(start);
}

const secondChanceInvariants: readonly Invariant[] = [
  {
    name: "dormantRelation",
    promise:
      "No dormant relation is visible: it has no list rows, counts nowhere, is held by a deactivated (or returning) account under whose index it is listed, once.",
    check(index) {
      const findings: Finding[] = [];
      for (const [followId, state] of index.relationStates) {
        const holder = state.dormantUnder;
        if (!holder) continue;
        const items = index.follows.get(followId)!;
        const relation = items.relation!;
        const report = (detail: string) => findings.push({ invariant: "dormantRelation", userId: holder, detail });
        if (items.followerRow || items.followingRow) report(`dormant follow ${followId} still has list rows`);
        if (holder !== relation.followerId && holder !== relation.followeeId)
          report(`dormant follow ${followId} is held by an account that is neither of its two`);
        const account = index.accounts.get(holder);
        if (!account) report(`dormant follow ${followId} is held by an account that does not exist`);
        else if (account.deactivation === null && !account.restoring && !beingDeleted(index, holder))
          report(`dormant follow ${followId} is held by a live account whose restore is over`);
        const listed = index.dormantIndex.get(followId) ?? [];
        if (listed.length !== 1 || listed[0]!.holderId !== holder)
          report(`dormant follow ${followId} is listed ${listed.length} times, not once under its holder`);
        if (state.outlookAt !== null) report(`dormant follow ${followId} is in an outlook`);
      }
      for (const [followId, listed] of index.dormantIndex) {
        for (const entry of listed) {
          if (index.relationStates.get(followId)?.dormantUnder !== entry.holderId) {
            findings.push({
              invariant: "dormantRelation",
              userId: entry.holderId,
              detail: `index item of follow ${followId} names no relation dormant under its holder`,
            });
          }
        }
      }
      // A dormant account holds no live relation (both of its rows would show it).
      for (const relation of relationsOf(index)) {
        for (const userId of [relation.followerId, relation.followeeId]) {
          if (index.accounts.get(userId)?.deactivation === "dormant") {
            findings.push({
              invariant: "dormantRelation",
              userId,
              detail: `follow ${relation.followId} of a dormant account is live`,
            });
          }
        }
      }
      return findings;
    },
  },
  {
    name: "dormantAccount",
    promise: "A dormant account is listed once by the end of its grace, and only a dormant account is.",
    check(index) {
      const findings: Finding[] = [];
      const listed = new Map<string, number>();
      for (const entry of index.dormantAccounts) {
        add(listed, entry.userId, 1);
        if (index.accounts.get(entry.userId)?.deactivation !== "dormant") {
          findings.push({
            invariant: "dormantAccount",
            userId: entry.userId,
            detail: "listed as dormant, but it is not",
          });
        }
      }
      for (const account of index.accounts.values()) {
        if (account.deactivation === "dormant" && listed.get(account.userId) !== 1) {
          findings.push({
            invariant: "dormantAccount",
            userId: account.userId,
            detail: `dormant, and listed ${listed.get(account.userId) ?? 0} times for its purge`,
          });
        }
      }
      return findings;
    },
  },
  {
    name: "restoreFinished",
    promise: "No restore is left under way (the restore sweep finishes each within a minute in AWS).",
    check(index) {
      const returning = new Set([
        ...index.restoringEntries,
        ...[...index.accounts.values()].filter((account) => account.restoring).map((account) => account.userId),
      ]);
      return [...returning].map((userId) => ({
        invariant: "restoreFinished",
        userId,
        detail: "the account's restore began and did not finish (the restore sweep finishes it)",
      }));
    },
  },
  {
    name: "outlookCount",
    promise: "An account's followers under notice (its profile's and shards' underNotice) equal its outlook entries.",
    check(index) {
      const entries = new Map<string, number>();
      for (const entry of index.outlookEntries) add(entries, entry.followeeId, 1);
      return [...index.accounts.values()].flatMap((account) => {
        const stored = account.profileUnderNotice + (index.shardUnderNotice.get(account.userId) ?? 0);
        const expected = entries.get(account.userId) ?? 0;
        return stored === expected
          ? []
          : [
              {
                invariant: "outlookCount",
                userId: account.userId,
                detail: `${stored} followers under notice are counted, ${expected} outlook entries stored`,
              },
            ];
      });
    },
  },
  {
    name: "outlookEntry",
    promise:
      "An outlook entry is exactly a live relation whose follower is under notice, at the time the relation names, and the follower's schedule gives that time.",
    check(index) {
      const findings: Finding[] = [];
      const relationOf = new Map(
        relationsOf(index).map((relation) => [`${relation.followeeId}/${relation.followerId}`, relation]),
      );
      const entryKeys = new Set<string>();
      for (const entry of index.outlookEntries) {
        const key = `${entry.followeeId}/${entry.followerId}`;
        entryKeys.add(`${key}@${entry.at}`);
        const relation = relationOf.get(key);
        if (!relation || index.relationStates.get(relation.followId)?.outlookAt !== entry.at) {
          findings.push({
            invariant: "outlookEntry",
            userId: entry.followeeId,
            detail: `outlook entry of follower ${entry.followerId} at ${entry.at} has no live relation there`,
          });
        }
      }
      for (const relation of relationOf.values()) {
        const at = index.relationStates.get(relation.followId)?.outlookAt ?? null;
        const follower = index.accounts.get(relation.followerId);
        if (at !== null && !entryKeys.has(`${relation.followeeId}/${relation.followerId}@${at}`)) {
          findings.push({
            invariant: "outlookEntry",
            userId: relation.followeeId,
            detail: `follow ${relation.followId} is in the outlook at ${at} without its entry`,
          });
        }
        if (
          !follower ||
          follower.outlook.dirty ||
          index.cleanupRunning ||
          follower.deactivation ||
          follower.deletionBegun
        )
          continue;
        if (at !== follower.outlook.at) {
          findings.push({
            invariant: "outlookEntry",
            userId: relation.followerId,
            detail: `follow ${relation.followId} is in the outlook at ${at ?? "none"}, its follower's target is ${follower.outlook.at ?? "none"}`,
          });
        }
      }
      for (const account of index.accounts.values()) {
        if (account.outlook.dirty || account.deactivation || account.deletionBegun || index.cleanupRunning) continue;
        const expected = scheduleRuns(account) ? outlookTimeOf(account.notices) : null;
        if (account.outlook.at !== expected) {
          findings.push({
            invariant: "outlookEntry",
            userId: account.userId,
            detail: `its outlook target is ${account.outlook.at ?? "none"}, its schedule says ${expected ?? "none"}`,
          });
        }
      }
      for (const userId of index.outlookSyncs) {
        if (index.cleanupRunning) break;
        findings.push({
          invariant: "outlookEntry",
          userId,
          detail: "an outlook sync was cut short (the account's next request or the next cleanup run finishes it)",
        });
      }
      // A notice's sync has no registry entry (the inactivity index finds its account again): cut short all the same.
      for (const account of index.accounts.values()) {
        if (index.cleanupRunning) break;
        if (!account.outlook.dirty || index.outlookSyncs.has(account.userId)) continue;
        findings.push({
          invariant: "outlookEntry",
          userId: account.userId,
          detail: `a notice's outlook sync to ${account.outlook.at ?? "none"} was cut short (the account's next request or the next cleanup run, which finds it inactive, finishes it)`,
        });
      }
      return findings;
    },
  },
  {
    name: "handleQuarantine",
    promise: "No purged account's handle is held by another account inside its quarantine.",
    check(index) {
      const holders = new Map<string, string[]>();
      for (const account of index.accounts.values()) {
        const handle = account.handle.toLowerCase();
        holders.set(handle, [...(holders.get(handle) ?? []), account.userId]);
      }
      return index.claims.flatMap((claim) => {
        if (claim.quarantinedUntil === null || claim.quarantinedUntil <= index.now) return [];
        const others = (holders.get(claim.handle) ?? []).filter((userId) => userId !== claim.userId);
        return others.map((userId) => ({
          invariant: "handleQuarantine",
          userId,
          detail: `holds the handle "${claim.handle}" quarantined for ${claim.userId} until ${claim.quarantinedUntil}`,
        }));
      });
    },
  },
];

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
        // A dormant relation (contract 1.2) is its relation item alone: the invariant dormantRelation checks it.
        if (items.relation && index.relationStates.get(followId)?.dormantUnder) return [];
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
        // A deactivated writer's comment keeps it aside; the entry stays until its restore or purge.
        if (comment?.dormantAuthorId === entry.writerId) return [];
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
        // A deactivated writer kept aside: its account is deactivated (or coming back) and the entry is there.
        if (comment.dormantAuthorId !== null && !post?.deleting) {
          const writer = index.accounts.get(comment.dormantAuthorId);
          if (!writer || (writer.deactivation === null && !writer.restoring && !beingDeleted(index, writer.userId))) {
            findings.push({
              invariant: "commentWriter",
              userId: comment.dormantAuthorId,
              detail: `comment ${comment.commentId} keeps aside a writer that is not deactivated`,
            });
          } else if (index.indexEntries.get(comment.commentId)?.writerId !== comment.dormantAuthorId) {
            findings.push({
              invariant: "commentWriter",
              userId: comment.dormantAuthorId,
              detail: `comment ${comment.commentId} lacks its deactivated writer's index entry`,
            });
          }
        }
        // A post's deletion deletes the writers' index entries before the comments (deletionFinished reports it).
        if (comment.authorId !== null && !post?.deleting) {
          if (!index.accounts.has(comment.authorId)) {
            findings.push({
              invariant: "commentWriter",
              userId: comment.authorId,
              detail: `comment ${comment.commentId} names a writer without an account`,
            });
          } else if (index.accounts.get(comment.authorId)!.deactivation === "dormant") {
            findings.push({
              invariant: "commentWriter",
              userId: comment.authorId,
              detail: `comment ${comment.commentId} shows a writer whose account is deactivated`,
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
      const held = index.claims.filter((claim) => claim.quarantinedUntil === null);
      const claimed = new Map(held.map((claim) => [claim.handle, claim.userId]));
      const findings: Finding[] = held.flatMap((claim) =>
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
        ...[...index.accounts.values()]
          .filter(
            (account) =>
              account.deletionBegun || account.deactivation === "deactivating" || account.deactivation === "purging",
          )
          .map((account) => account.userId),
      ]);
      const what = (userId: string) => {
        const phase = index.accounts.get(userId)?.deactivation;
        return phase === "deactivating" ? "deactivation" : phase === "purging" ? "purge" : "deletion";
      };
      const findings: Finding[] = [...halfDeleted].map((userId) => ({
        invariant: "deletionFinished",
        userId,
        detail: `the account's ${what(userId)} began and did not finish (the next cleanup run finishes it: npm run cleanup)`,
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
      "A notice waits to go out (its facts on its schedule entry, or an earlier release's outbox item) exactly while its account's schedule holds it unsent: queued once per unsent notice, none else.",
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
        const alsoOnProfile = index.accounts.get(userId)?.noticeQueued === true;
        if (queued.length + (alsoOnProfile ? 1 : 0) > 1)
          findings.push({
            invariant: "queuedNotice",
            userId,
            detail: `${queued.length + (alsoOnProfile ? 1 : 0)} notices queued for one account`,
          });
      }
      for (const account of index.accounts.values()) {
        const unsent = unsentNewest(account.notices);
        if (unsent && !account.noticeQueued && !index.queuedNotices.has(account.userId)) {
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
  ...secondChanceInvariants,
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
