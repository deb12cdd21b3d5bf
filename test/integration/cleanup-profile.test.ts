import { describe, expect, it, vi } from "vitest";

// The cleanup's profile (bench/support/cleanup-profile.ts) names each request's phase from its stack alone: the
// cleanup's code knows nothing of it. When a step is renamed or moved, its requests would fall into another phase
// or into "other" unseen; this test runs one account through a whole 1.2 schedule (notices with the outlook sync,
// the deactivation, the purge after the grace) under the profile and checks that every step lands in its phase.
// Up to 6 whole runs each: a longer timeout than a request's test.
vi.hoisted(() => {
  process.env.DELETION_NOTICE_LEADS = "PT3S,PT2S,PT1S";
  process.env.DEACTIVATION_GRACE = "P30D";
});

import { lastActiveAt } from "../support/cleanup";
import { postComment } from "../support/comments";
import { given } from "../support/given";
import { expectStatus, type TestUser } from "../support/host";
import { addTo, profiled } from "../support/profiles";
import { aRunFor } from "../support/schedules";
import { DAY_MS, stateOf, undoSettled } from "../support/second-chance";
import { when } from "../support/when";
import { readRun } from "../../shared/use-cases/cleanup/reports";

const LONG_AGO = "2025-01-10T08:00:00.000Z";

/** Runs notify `reader` 4 s apart until one deactivates it (at most 8); answers the profile and the last run. */
async function runsUntilDeactivated(reader: TestUser) {
  const phases = new Map<string, number>();
  const start = Date.now();
  let last = { at: start, runId: "" };
  for (let run = 0; run < 8 && (await stateOf(reader)) !== "dormant"; run++) {
    const at = start + run * 4000;
    addTo(phases, await profiled(async () => (last = { at, runId: (await aRunFor(reader, new Date(at))).runId })));
  }
  return { phases, last };
}

/** A reader long inactive who follows two authors and commented on a post of one; an active reader follows it. */
async function aWorld() {
  const admin = await given.anAdmin();
  const author = await given.anAuthor();
  const other = await given.anAuthor();
  const reader = await given.aReader();
  const friend = await given.aReader();
  await given.aFollow(reader, author);
  await given.aFollow(reader, other);
  await given.aFollow(friend, reader);
  const post = await given.aPost(author);
  // A comment needs an unexpired entitlement: granted for the comment, then taken back.
  await given.entitlements(admin, reader, [{ tier: "plus" }]);
  expectStatus(await postComment(reader, post.postId, { body: "Nice call" }), 201);
  await given.entitlements(admin, reader, []);
  await lastActiveAt(reader, LONG_AGO);
  return { admin, reader };
}

describe("the cleanup's profile", () => {
  it("names every step of a whole 1.2 schedule by its phase, and nothing of it 'other'", async () => {
    // given an inactive reader with relations both ways and a comment
    const { reader } = await aWorld();

    // when runs notify it until one deactivates it, and a run after its grace purges it, all under the profile
    const { phases, last } = await runsUntilDeactivated(reader);
    const at = last.at;
    expect(await stateOf(reader), "deactivated by the schedule's runs").toBe("dormant");
    let runId = "";
    const purgeRun = await profiled(async () => ({ runId } = await aRunFor(reader, new Date(at + 31 * DAY_MS))));
    addTo(phases, purgeRun);
    expect(await stateOf(reader), "purged after its grace").toBe("gone");
    const reports = await profiled(() => readRun(runId));

    // then each step of the cleanup has its phase
    const named = [...phases.keys()];
    expect(named).toEqual(
      expect.arrayContaining([
        "begin (lease, run record)",
        "batch step: lease renewal",
        "candidate: first read (account state)",
        "notice: record (schedule entry with its facts, run tally)",
        "notice: settle (facts off the schedule; an old outbox item deleted)",
        "outlook sync: relation pages",
        "outlook sync: relations (one transaction per 32, the finish in the last)",
        "mark (deactivation; 1.1: deletion)",
        "touch survivors (read, record)",
        "deactivation: relation pages",
        "deactivation: relations, comments, finish (one transaction where they fit)",
        "deactivation: comments (pages, set aside)",
        "deactivation: posts",
        "purge: mark (purging, pending)",
        "purge: reads of what is left (own partition's range, dormant index, history)",
        "purge: one transaction (relations, comments, records, finish)",
        "recount: lease and touched pages",
        "recount: account read",
        "recount: count queries",
        "recount: write (counts, change, touch end)",
        "report (run totals, end)",
      ]),
    );
    // and a batch step reads its candidates once (one batch read), carrying the state through the mark and the
    // deactivation: no re-read after the mark, none at the deactivation's start or finish (its finish was accepted)
    expect(phases.get("candidate: re-read after the mark"), "re-reads after the mark").toBeUndefined();
    expect(phases.get("deactivation: account re-reads (start, finish)"), "the deactivation's re-reads").toBeUndefined();
    // and each notice's sync is its relation page and ONE transaction (its 2 relations and the sync's end), from the
    // target the notice's record wrote: no account re-read, no relation re-read, no finish of its own
    const notices = phases.get("notice: record (schedule entry with its facts, run tally)");
    expect(notices, "notices recorded").toBe(3);
    expect(phases.get("outlook sync: relation pages"), "one relation page per sync").toBe(notices);
    expect(
      phases.get("outlook sync: relations (one transaction per 32, the finish in the last)"),
      "one transaction per sync, none refused",
    ).toBe(notices);
    for (const phase of [
      "outlook sync: account re-read",
      "outlook sync: relation re-read",
      "outlook sync: finish alone (none due: outlookDirty, registry)",
    ]) {
      expect(phases.get(phase), phase).toBeUndefined();
    }
    // and nothing of the cleanup is left unrecognised, nor taken for the benchmark's own reads
    expect(phases.get("other (unrecognised)"), "requests no phase recognised").toBeUndefined();
    expect(
      phases.get("the benchmark: each run's report (readRun)"),
      "the runs' requests as the bench's",
    ).toBeUndefined();
    // and the one-transaction steps of this one account are one request each (no concurrency, no conflict here)
    expect(phases.get("mark (deactivation; 1.1: deletion)")).toBe(1);
    expect(purgeRun.get("purge: mark (purging, pending)")).toBe(1);
    // and its 3 relations, its comment and its finish go in ONE transaction, sent where its relations' outlook entries
    // are (its own two in its followees' outlooks at its target before the mark, its follower's outside): none refused,
    // so no re-read of the account, and no finish of its own
    expect(
      phases.get("deactivation: relations, comments, finish (one transaction where they fit)"),
      "one transaction for the relations, the comment and the finish, none refused",
    ).toBe(1);
    expect(phases.get("deactivation: finish (dormant, pending, run totals)"), "a finish apart").toBeUndefined();
    expect(phases.get("deactivation: still-marked checks"), "re-reads after a refusal").toBeUndefined();
    // and the deactivation reads its comment index once (the page ends it) and its posts once; not its pending
    // deletion, which the mark put in this very step (nothing moved yet)
    expect(
      phases.get("deactivation: pending-deletion reads (comments' position, finish)"),
      "a read of the pending deletion the mark put",
    ).toBeUndefined();
    expect(phases.get("deactivation: comments (pages, set aside)")).toBe(1);
    expect(phases.get("deactivation: posts")).toBe(1);
    // and after its mark the purge reads what is left in 3 Queries (its partition's range of comments, relations and
    // records; its dormant index; its history) and deletes it all, its 3 relations, its comment's writer and index
    // entry, with the finish, in ONE transaction: nothing item by item, no account read again
    expect(
      purgeRun.get("purge: reads of what is left (own partition's range, dormant index, history)"),
      "the purge's reads",
    ).toBe(3);
    expect(purgeRun.get("purge: one transaction (relations, comments, records, finish)"), "one transaction").toBe(1);
    for (const itemByItem of [
      "purge: account reads (due?, finish)",
      "purge: dormant relations",
      "purge: comments (writer, index entries)",
      "purge: records and history",
      "purge: finish (profile, shards, handle quarantine, pending)",
    ])
      expect(purgeRun.get(itemByItem), itemByItem).toBeUndefined();
    // and a run's report, read afterwards, is the benchmark's own read
    expect(reports.get("the benchmark: each run's report (readRun)")).toBeGreaterThan(0);
  }, 120_000);

  it("names an undo's restore by its phases", async () => {
    // given a reader a run deactivated
    const { admin, reader } = await aWorld();
    const { last } = await runsUntilDeactivated(reader);
    expect(await stateOf(reader), "deactivated by the schedule's runs").toBe("dormant");

    // when an operator undoes that run, under the profile
    const phases = await profiled(async () => {
      expectStatus(await when.undoesCleanupRun(admin, last.runId), 202);
      await undoSettled(admin, last.runId);
    });

    // then the restore's steps have their phases
    expect(await stateOf(reader), "restored by the undo").toBe("live");
    expect([...phases.keys()]).toEqual(
      expect.arrayContaining(["restore: flip", "restore: relations", "restore: comments"]),
    );
  }, 120_000);
});
