import { describe, expect, it } from "vitest";
import { checkInvariants, indexFacts, invariants, type Invariant, type TableFact } from "../../shared/domain/audit";
import type { ScheduledNotice } from "../../shared/domain/deletion-schedule";
import { isoDuration } from "../../shared/domain/iso-duration";

// The audit's checker on facts alone (no table): what each invariant of docs/data-model.md finds.

const now = new Date("2026-01-01T12:00:00.000Z");
const account = (
  userId: string,
  counts: Partial<{ followers: number; following: number; posts: number }> = {},
  deletionBegun = false,
  notices: ScheduledNotice[] = [],
  noticeQueued = false,
): TableFact => ({
  kind: "account",
  userId,
  handle: `Handle_${userId}`,
  createdAt: "2025-01-01T00:00:00.000Z",
  lastActiveAt: "2025-06-01T00:00:00.000Z",
  profileFollowerCount: counts.followers ?? 0,
  followingCount: counts.following ?? 0,
  postCount: counts.posts ?? 0,
  profileUnderNotice: 0,
  deletionBegun,
  deactivation: null,
  restoring: false,
  outlook: {
    at:
      notices.length > 0
        ? new Date(Date.parse(notices.at(-1)!.recordedAt) + notices.at(-1)!.lead.ms).toISOString()
        : null,
    dirty: false,
  },
  notices,
  noticeQueued,
});
const claim = (userId: string): TableFact => ({
  kind: "handleClaim",
  handle: `handle_${userId}`,
  userId,
  quarantinedUntil: null,
});
const follow = (
  followerId: string,
  followeeId: string,
  followId: string,
  items = ["relation", "followerRow", "followingRow"] as const,
): TableFact[] =>
  items.map((item) => ({
    kind: "followItem",
    item,
    relation: { followerId, followeeId, followId, followedAt: "2026-01-01T00:00:00.000Z" },
    dormantUnder: null,
    outlookAt: null,
  }));
const shard = (userId: string, count: number): TableFact => ({
  kind: "followerCountShard",
  userId,
  shard: 0,
  count,
  underNotice: 0,
});
const post = (authorId: string, postUlid: string, commentCount = 0, deleting = false): TableFact[] => [
  {
    kind: "post",
    authorId,
    postUlid,
    postId: `id-${postUlid}`,
    commentCount,
    deleting,
    access: "free",
    bodyRevision: 1,
  },
  { kind: "postBody", postUlid, access: "free", revision: 1 },
];
const comment = (postUlid: string, commentId: string, writerId: string): TableFact[] => [
  { kind: "comment", postUlid, commentId, authorId: writerId, dormantAuthorId: null },
  { kind: "commentIndexEntry", writerId, commentId, postUlid },
];

/** A consistent little world: a follows b (b's count on a shard), b wrote a post that a commented on. */
const world = (): TableFact[] => [
  account("a", { following: 1 }),
  claim("a"),
  account("b", { posts: 1 }),
  claim("b"),
  shard("b", 1),
  ...follow("a", "b", "F1"),
  ...post("b", "P1", 1),
  ...comment("P1", "C1", "a"),
];
const findingsOf = (facts: TableFact[], checks?: readonly Invariant[]) =>
  checkInvariants(indexFacts(facts, now), checks);

describe("the audit's invariants", () => {
  it("find nothing in a consistent table", () => {
    expect(findingsOf(world())).toEqual([]);
  });

  it("find a follower count whose shards do not add up to the relations, naming the account, stored and expected", () => {
    const facts = world().map((fact) => (fact.kind === "followerCountShard" ? { ...fact, count: 3 } : fact));
    expect(findingsOf(facts)).toEqual([{ invariant: "followerCount", userId: "b", stored: 3, expected: 1 }]);
  });

  it("find drifted following, post and comment counts", () => {
    const facts = world().map((fact) => {
      if (fact.kind === "account" && fact.userId === "a") return { ...fact, followingCount: 0 };
      if (fact.kind === "account" && fact.userId === "b") return { ...fact, postCount: 2 };
      if (fact.kind === "post") return { ...fact, commentCount: -1 };
      return fact;
    });
    expect(findingsOf(facts)).toEqual([
      { invariant: "followingCount", userId: "a", stored: 0, expected: 1 },
      { invariant: "postCount", userId: "b", stored: 2, expected: 1 },
      { invariant: "commentCount", userId: "b", postId: "id-P1", stored: -1, expected: 1 },
    ]);
  });

  it("find a follow missing one of its items, or naming an account that does not exist", () => {
    const facts = [
      ...world().filter((fact) => !(fact.kind === "followItem" && fact.item === "followerRow")),
      ...follow("a", "ghost", "F2"),
    ];
    const found = findingsOf(
      facts,
      invariants.filter((invariant) => invariant.name === "followEdge"),
    );
    expect(found).toEqual([
      { invariant: "followEdge", userId: "b", detail: "follow F1 of a lacks its followerRow" },
      { invariant: "followEdge", userId: "ghost", detail: "follow F2 (a → ghost) names a missing account ghost" },
    ]);
  });

  it("find an index entry without its comment, a comment without its writer's entry, and a comment of a writer without an account", () => {
    const facts = [
      ...world().filter((fact) => fact.kind !== "comment"),
      { kind: "comment", postUlid: "P1", commentId: "C2", authorId: "a", dormantAuthorId: null } satisfies TableFact,
      { kind: "comment", postUlid: "P1", commentId: "C3", authorId: "gone", dormantAuthorId: null } satisfies TableFact,
    ];
    const names = ["commentIndexEntry", "commentWriter"];
    expect(
      findingsOf(
        facts,
        invariants.filter((invariant) => names.includes(invariant.name)),
      ),
    ).toEqual([
      { invariant: "commentIndexEntry", userId: "a", detail: "index entry of comment C1 names no comment" },
      { invariant: "commentWriter", userId: "a", detail: "comment C2 lacks its writer's index entry" },
      { invariant: "commentWriter", userId: "gone", detail: "comment C3 names a writer without an account" },
    ]);
  });

  it("leave a comment without its index entry alone while its post's deletion is under way", () => {
    const facts = [
      ...post("b", "P3", 1, true),
      { kind: "comment", postUlid: "P3", commentId: "C4", authorId: "a", dormantAuthorId: null } satisfies TableFact,
      ...world(),
    ];
    expect(
      findingsOf(
        facts,
        invariants.filter((invariant) => invariant.name === "commentWriter"),
      ),
    ).toEqual([]);
  });

  it("find a handle claim of another account and an account without its claim", () => {
    const facts = [
      ...world().filter((fact) => !(fact.kind === "handleClaim" && fact.userId === "b")),
      { kind: "handleClaim", handle: "handle_b", userId: "a", quarantinedUntil: null } satisfies TableFact,
    ];
    expect(
      findingsOf(
        facts,
        invariants.filter((invariant) => invariant.name === "handleClaim"),
      ),
    ).toEqual([
      {
        invariant: "handleClaim",
        userId: "a",
        detail: 'handle claim "handle_b" names an account that does not hold that handle',
      },
      { invariant: "handleClaim", userId: "b", detail: 'the account\'s handle "Handle_b" is not claimed by it' },
    ]);
  });

  it("find a body without its post and a post without its body", () => {
    const facts = [
      ...world().filter((fact) => fact.kind !== "postBody"),
      { kind: "postBody", postUlid: "P9", access: "plus", revision: 1 } satisfies TableFact,
    ];
    expect(
      findingsOf(
        facts,
        invariants.filter((invariant) => invariant.name === "postBody"),
      ),
    ).toEqual([
      { invariant: "postBody", detail: "body of post P9 has no post" },
      { invariant: "postBody", userId: "b", detail: "post id-P1 has 0 body items, not one under free at revision 1" },
    ]);
  });

  it("find a half-deleted account and an unfinished post deletion, unless a cleanup run holds its lease", () => {
    const facts = [
      ...world(),
      account("c", {}, true),
      claim("c"),
      { kind: "pendingDeletion", userId: "c" } satisfies TableFact,
      ...post("a", "P2", 0, true),
    ];
    const deletion = invariants.filter((invariant) => invariant.name === "deletionFinished");
    expect(findingsOf(facts, deletion).map((finding) => finding.userId)).toEqual(["c", "a"]);
    const running: TableFact = { kind: "cleanupLease", runId: "R1", leaseUntil: "2026-01-01T12:10:00.000Z" };
    expect(findingsOf([...facts, running], deletion)).toEqual([]);
    const expired: TableFact = { kind: "cleanupLease", runId: "R1", leaseUntil: "2026-01-01T11:50:00.000Z" };
    expect(findingsOf([...facts, expired], deletion)).toHaveLength(2);
  });

  describe("of the notice schedule", () => {
    const at = (minute: number) => `2026-01-01T10:${String(minute).padStart(2, "0")}:00.000Z`;
    const sent = (lead: string, recorded: number, sentMinute = recorded): ScheduledNotice => ({
      lead: isoDuration(lead),
      recordedAt: at(recorded),
      sentAt: at(sentMinute),
    });
    const unsent = (lead: string, recorded: number): ScheduledNotice => ({
      lead: isoDuration(lead),
      recordedAt: at(recorded),
    });
    const queued = (userId: string, lead: string, recorded: number): TableFact => ({
      kind: "queuedNotice",
      userId,
      lead,
      recordedAt: at(recorded),
    });
    const noticeChecks = invariants.filter(
      (invariant) => invariant.name === "noticeSchedule" || invariant.name === "queuedNotice",
    );
    const withSchedule = (notices: ScheduledNotice[], ...more: TableFact[]) => [
      account("r", {}, false, notices),
      claim("r"),
      ...more,
    ];

    it("find nothing in a schedule sent in order whose newest notice waits in the outbox", () => {
      expect(
        findingsOf(
          withSchedule([sent("P30D", 1, 2), sent("P7D", 3), unsent("P1D", 4)], queued("r", "P1D", 4)),
          noticeChecks,
        ),
      ).toEqual([]);
    });

    it("find nothing in a schedule whose newest notice waits with its facts on the profile", () => {
      const facts = [account("r", {}, false, [sent("P30D", 1, 2), unsent("P7D", 3)], true), claim("r")];
      expect(findingsOf(facts, noticeChecks)).toEqual([]);
    });

    it("find a notice queued twice: its facts on the profile and an earlier release's outbox item", () => {
      const facts = [account("r", {}, false, [unsent("P30D", 1)], true), claim("r"), queued("r", "P30D", 1)];
      expect(findingsOf(facts, noticeChecks)).toEqual([
        { invariant: "queuedNotice", userId: "r", detail: "2 notices queued for one account" },
      ]);
    });

    it("find notices out of order: a lead not shorter than the one before, one recorded before the previous went out", () => {
      const findings = findingsOf(
        withSchedule([sent("P7D", 1), sent("P30D", 2), unsent("P1D", 3), unsent("PT1H", 4)], queued("r", "PT1H", 4)),
        noticeChecks,
      );
      expect(findings.map((finding) => "detail" in finding && finding.detail)).toEqual([
        "notice P30D follows P7D, whose lead is not longer",
        "notice PT1H was recorded while P1D had not gone out",
      ]);
    });

    it("find an unsent notice without its queued message, and a queued message that is not the unsent notice", () => {
      expect(findingsOf(withSchedule([unsent("P30D", 1)]), noticeChecks)).toEqual([
        {
          invariant: "queuedNotice",
          userId: "r",
          detail: `notice P30D of ${at(1)} is unsent and has no queued message`,
        },
      ]);
      expect(findingsOf(withSchedule([sent("P30D", 1)], queued("r", "P30D", 1)), noticeChecks)).toEqual([
        {
          invariant: "queuedNotice",
          userId: "r",
          detail: `queued notice P30D of ${at(1)} is not an unsent notice of the account's schedule`,
        },
      ]);
    });

    it("leave a queued notice of an account being deleted or gone to the next run, which drops it", () => {
      const facts = [
        account("r", {}, true, [unsent("P30D", 1)]),
        claim("r"),
        queued("r", "P30D", 1),
        queued("gone", "P7D", 2),
      ];
      expect(findingsOf(facts, noticeChecks)).toEqual([]);
    });
  });

  describe("of a second chance (contract 1.2)", () => {
    const dormant = (userId: string, extra: Partial<Extract<TableFact, { kind: "account" }>> = {}): TableFact => ({
      ...(account(userId) as Extract<TableFact, { kind: "account" }>),
      deactivation: "dormant",
      ...extra,
    });
    const dormantFollow = (followerId: string, followeeId: string, followId: string, holderId: string): TableFact[] => [
      {
        kind: "followItem",
        item: "relation",
        relation: { followerId, followeeId, followId, followedAt: "2026-01-01T00:00:00.000Z" },
        dormantUnder: holderId,
        outlookAt: null,
      },
      {
        kind: "dormantRelation",
        holderId,
        relation: { followerId, followeeId, followId, followedAt: "2026-01-01T00:00:00.000Z" },
      },
    ];
    const secondChance = invariants.filter((invariant) =>
      ["dormantRelation", "dormantAccount", "followerCount", "followingCount", "followEdge"].includes(invariant.name),
    );

    it("find nothing in a dormant account holding its relations out of every count", () => {
      const facts = [
        dormant("d"),
        claim("d"),
        { kind: "dormantAccount", userId: "d", graceUntil: "2026-02-01T00:00:00.000Z" } satisfies TableFact,
        account("b"),
        claim("b"),
        ...dormantFollow("d", "b", "F9", "d"),
      ];
      expect(findingsOf(facts, secondChance)).toEqual([]);
    });

    it("find a dormant relation with a list row, one held by a live account, and an index item of none", () => {
      const facts = [
        account("a"),
        claim("a"),
        account("b"),
        claim("b"),
        ...dormantFollow("a", "b", "F9", "a"),
        {
          kind: "followItem",
          item: "followerRow",
          relation: { followerId: "a", followeeId: "b", followId: "F9", followedAt: "2026-01-01T00:00:00.000Z" },
          dormantUnder: null,
          outlookAt: null,
        } satisfies TableFact,
        {
          kind: "dormantRelation",
          holderId: "b",
          relation: { followerId: "x", followeeId: "b", followId: "F8", followedAt: "2026-01-01T00:00:00.000Z" },
        } satisfies TableFact,
      ];
      expect(
        findingsOf(
          facts,
          invariants.filter((invariant) => invariant.name === "dormantRelation"),
        ).map((finding) => ("detail" in finding ? finding.detail : "")),
      ).toEqual([
        "dormant follow F9 still has list rows",
        "dormant follow F9 is held by a live account whose restore is over",
        "index item of follow F8 names no relation dormant under its holder",
      ]);
    });

    it("find an outlook count that is not its entries, and an entry without its relation", () => {
      const facts = [
        ...world(),
        { kind: "outlookEntry", followeeId: "b", followerId: "x", at: "2026-02-01T00:00:00.000Z" } satisfies TableFact,
      ];
      const names = ["outlookCount", "outlookEntry"];
      expect(
        findingsOf(
          facts,
          invariants.filter((invariant) => names.includes(invariant.name)),
        ),
      ).toEqual([
        {
          invariant: "outlookCount",
          userId: "b",
          detail: "0 followers under notice are counted, 1 outlook entries stored",
        },
        {
          invariant: "outlookEntry",
          userId: "b",
          detail: "outlook entry of follower x at 2026-02-01T00:00:00.000Z has no live relation there",
        },
      ]);
    });

    it("find an outlook sync cut short, registered (a withdrawal's) or not (a notice's), not while a run goes on", () => {
      const underNotice = (userId: string, at: string | null): TableFact => {
        const base = account(userId) as Extract<TableFact, { kind: "account" }>;
        return { ...base, outlook: { at, dirty: true } };
      };
      const facts: TableFact[] = [
        underNotice("n", "2026-02-01T00:00:00.000Z"),
        underNotice("w", null),
        { kind: "outlookSync", userId: "w" },
      ];
      const checks = invariants.filter((invariant) => invariant.name === "outlookEntry");
      expect(findingsOf(facts, checks)).toEqual([
        {
          invariant: "outlookEntry",
          userId: "w",
          detail: "an outlook sync was cut short (the account's next request or the next cleanup run finishes it)",
        },
        {
          invariant: "outlookEntry",
          userId: "n",
          detail:
            "a notice's outlook sync to 2026-02-01T00:00:00.000Z was cut short (the account's next request or the next cleanup run, which finds it inactive, finishes it)",
        },
      ]);
      const running: TableFact = { kind: "cleanupLease", runId: "r", leaseUntil: "2026-01-01T13:00:00.000Z" };
      expect(findingsOf([...facts, running], checks)).toEqual([]);
    });

    it("find another account holding a purged account's handle inside its quarantine, not after it", () => {
      const quarantined = (until: string): TableFact => ({
        kind: "handleClaim",
        handle: "handle_a",
        userId: "gone",
        quarantinedUntil: until,
      });
      const holder = { ...(account("a") as Extract<TableFact, { kind: "account" }>) } satisfies TableFact;
      const checks = invariants.filter((invariant) => invariant.name === "handleQuarantine");
      expect(findingsOf([holder, quarantined("2026-03-01T00:00:00.000Z")], checks)).toEqual([
        {
          invariant: "handleQuarantine",
          userId: "a",
          detail: 'holds the handle "handle_a" quarantined for gone until 2026-03-01T00:00:00.000Z',
        },
      ]);
      expect(findingsOf([holder, quarantined("2025-12-01T00:00:00.000Z")], checks)).toEqual([]);
    });
  });
});
