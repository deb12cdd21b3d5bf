import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

// The follower outlook (contract 1.2, "Authors see it coming"): how many of an author's followers are under notice
// and the earliest one may be deactivated, exact at all times, read without reading the followers. Notices on a
// schedule of seconds, runs at chosen instants; the audit (its outlook invariants) is the oracle after each test.
vi.hoisted(() => {
  process.env.DELETION_NOTICE_LEADS = "PT30S,PT20S,PT10S";
  process.env.DEACTIVATION_GRACE = "P30D";
});

import type { RunningMailSink } from "../../infra/local/mail-sink";
import { config } from "../../shared/config";
import { getStoredAccountState } from "../../shared/db/account-store";
import { defaultCutoff } from "../../shared/domain/cleanup";
import { beginRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { runToCompletion } from "../../shared/use-cases/cleanup/runner";
import { expectNoDrift } from "../support/audit";
import { crash, injectFaults } from "../support/faults";
import { lastActiveAt } from "../support/cleanup";
import { recordDynamoDbRequests } from "../support/request-recorder";
import { given } from "../support/given";
import { expectStatus, type TestUser } from "../support/host";
import { aReaderWithEmail, aRunAt, plus, theLocalMailSink, type MailedUser } from "../support/notices";
import { then } from "../support/then";
import { restoresSettled, signsIn, stateOf } from "../support/second-chance";
import { when } from "../support/when";
import { accounts, followed } from "../support/ordering-worlds";

const LONG_AGO = "2025-01-10T08:00:00.000Z";
const S = 1000;

let sink: RunningMailSink;
let admin: TestUser;
beforeAll(async () => {
  sink = await theLocalMailSink();
  admin = await given.anAdmin();
});
afterAll(() => sink.stop());
afterEach(() => expectNoDrift("after the test"));

const outlookOf = async (user: TestUser) => then.itAnswers(await when.readsFollowerOutlook(user), 200);

/** An author followed by `active` active readers and `inactive` readers last active long ago. */
async function anAuthorWithFollowers(active: number, inactive: number) {
  const author = await given.anAuthor();
  const sleepers: MailedUser[] = [];
  for (let i = 0; i < active + inactive; i++) {
    const reader = await aReaderWithEmail();
    await given.aFollow(reader, author);
    if (i >= active) sleepers.push(reader);
  }
  for (const reader of sleepers) await lastActiveAt(reader, LONG_AGO);
  return { author, sleepers };
}

describe("GET /me/follower-outlook", () => {
  it("counts the followers under notice and the earliest deactivation, as notices go out, are withdrawn and end", async () => {
    // given an author with five followers, three of them long inactive
    const { author, sleepers } = await anAuthorWithFollowers(2, 3);
    expect(await outlookOf(author)).toEqual({ followerCount: 5, followersUnderNotice: 0, earliestDeactivation: null });

    // when a run sends them their first notice: all three are under notice, deactivated 30 s later at the earliest
    const t0 = new Date();
    await aRunAt(t0);
    expect(await outlookOf(author)).toEqual({
      followerCount: 5,
      followersUnderNotice: 3,
      earliestDeactivation: plus(t0, 30 * S).toISOString(),
    });

    // when one signs in: it is out of the outlook as soon as its request has answered
    expectStatus(await signsIn(sleepers[0]!), 200);
    expect((await outlookOf(author)).followersUnderNotice).toBe(2);

    // when an entitlement exempts another: out too, at once
    await given.entitlements(admin, sleepers[1]!, [{ tier: "plus" }]);
    expect(await outlookOf(author)).toMatchObject({ followersUnderNotice: 1 });

    // when the last one's second notice goes out, its earliest deactivation moves to that notice's
    const t1 = plus(t0, 10 * S);
    await aRunAt(t1);
    expect(await outlookOf(author)).toEqual({
      followerCount: 5,
      followersUnderNotice: 1,
      earliestDeactivation: plus(t1, 20 * S).toISOString(),
    });

    // when its schedule ends in a deactivation: nobody is under notice, and it is out of the count
    await aRunAt(plus(t1, 10 * S));
    const t3 = plus(t1, 20 * S);
    await aRunAt(t3);
    expect(await stateOf(sleepers[2]!)).toBe("dormant");
    expect(await outlookOf(author)).toEqual({ followerCount: 4, followersUnderNotice: 0, earliestDeactivation: null });
  });

  it("answers in the same two requests whatever the number of followers, and 404 before PUT /me", async () => {
    const few = await anAuthorWithFollowers(1, 1);
    const many = await anAuthorWithFollowers(25, 5);
    await aRunAt(new Date());
    const requests: string[][] = [];
    for (const { author } of [few, many]) {
      const recorded = recordDynamoDbRequests();
      await outlookOf(author);
      recorded.stop();
      requests.push(recorded.commands());
    }
    expect(requests[0]).toEqual(["Query", "Query"]);
    expect(requests[1]).toEqual(requests[0]);
    then.itFails(await when.readsFollowerOutlook(given.aLocalCaller()), 404, "not_found");
  });

  it("stays exact while followers sign in during the run that notifies them", async () => {
    // given an author with twenty long-inactive followers
    const { author, sleepers } = await anAuthorWithFollowers(0, 20);

    // when a run notifies them while ten of them sign in at the same time
    const t0 = new Date();
    const [, ...signIns] = await Promise.all([aRunAt(t0), ...sleepers.slice(0, 10).map((reader) => signsIn(reader))]);
    for (const response of signIns) expectStatus(response, 200);

    // then the outlook counts exactly those whose notice is in force (the audit checks every entry)
    let underNotice = 0;
    for (const reader of sleepers) {
      const state = (await getStoredAccountState(reader.userId))!;
      const start = state.notices[0]?.recordedAt;
      if (start !== undefined && Date.parse(state.account.lastActiveAt) < Date.parse(start)) underNotice++;
    }
    expect(underNotice).toBeGreaterThanOrEqual(10);
    expect((await outlookOf(author)).followersUnderNotice).toBe(underNotice);
  });

  it("follows a relation in and out: a follower under notice whose followee is deactivated, and restored", async () => {
    // given a reader under notice who follows another reader, long inactive and further along
    const followee = await aReaderWithEmail();
    const follower = await aReaderWithEmail();
    await given.aFollow(follower, followee);
    await lastActiveAt(followee, LONG_AGO);
    const t0 = new Date();
    await aRunAt(t0);
    await aRunAt(plus(t0, 10 * S));
    await aRunAt(plus(t0, 20 * S));
    // the follower falls inactive later: its first notice comes while the followee's schedule ends
    await lastActiveAt(follower, LONG_AGO);
    await aRunAt(plus(t0, 30 * S));
    expect(await stateOf(followee)).toBe("dormant");
    expect((await getStoredAccountState(follower.userId))!.notices).toHaveLength(1);

    // when the followee signs in within its grace, the relation comes back, and with it the follower's entry
    expectStatus(await signsIn(followee), 200);
    await restoresSettled();
    expect(await outlookOf(followee)).toEqual({
      followerCount: 1,
      followersUnderNotice: 1,
      earliestDeactivation: plus(t0, 60 * S).toISOString(),
    });
  });
});

describe("the sync of a reader following more authors than one transaction carries (32 relations)", () => {
  it("moves every relation in two transactions, the sync's end with the second, into the outlooks and out", async () => {
    // given a long-inactive reader following 40 authors (made directly: the sync is what this is about)
    const reader = await aReaderWithEmail();
    const authors = Object.values(
      await accounts(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`author${i}`, "author" as const]))),
    );
    for (const author of authors) await followed(reader, author);
    await lastActiveAt(reader, LONG_AGO);

    // when a run sends it its first notice: every author counts it, at that notice's time
    const t0 = new Date();
    const recorded = recordDynamoDbRequests();
    await aRunAt(t0);
    recorded.stop();
    // in two transactions of relations (32, then 8), the sync's end in the second only
    const syncs = recorded.requests
      .filter((request) => request.command === "TransactWriteItems" && !request.error)
      .map((request) => JSON.stringify(request.input))
      .filter((input) => input.includes('":followId"'));
    expect(syncs.map((input) => input.includes("REMOVE outlookDirty"))).toEqual([false, true]);
    const at = plus(t0, 30 * S).toISOString();
    for (const author of authors) {
      expect(await outlookOf(author)).toEqual({ followerCount: 1, followersUnderNotice: 1, earliestDeactivation: at });
    }
    expect((await getStoredAccountState(reader.userId))!.outlook).toEqual({ at, dirty: false });

    // when it signs in: out of every outlook before its request answers (the audit after the test checks the rest)
    expectStatus(await signsIn(reader), 200);
    for (const author of authors) expect((await outlookOf(author)).followersUnderNotice).toBe(0);
    expect((await getStoredAccountState(reader.userId))!.outlook).toEqual({ at: null, dirty: false });
  });
});

/** Counts writes (as the cleanup's crash tests do) and kills every request after `k`. */
function killedAfter(k: number) {
  let writes = 0;
  return injectFaults((command) => {
    if (writes >= k) return crash();
    if (/^(TransactWriteItems|BatchWriteItem|PutItem|UpdateItem|DeleteItem)$/.test(command)) writes++;
    return undefined;
  });
}

const LEASE_EXPIRED_MS = 16 * 60 * 1000;

// A notice's sync has no registry entry: the account it left cut short is found again in the inactivity index. The
// run's writes after its begin, uninterrupted, in this world (measured): 2 lease renewals (UpdateItem), the notice's
// record (3), the sync of its 2 relations with the sync's end in one transaction (4), the delivery's settlement
// (5). The kills span the record to the settlement, excluded: a notice settled is a schedule that
// goes on, the next run sends the second one.
describe.each([2, 3, 4])("a run killed after %i writes while it notifies a follower of two authors", (k) => {
  it("the next run finishes the notice's sync: each author counts it once, at its notice's time", async () => {
    // given a long-inactive reader following two authors
    const authors = [await given.anAuthor(), await given.anAuthor()];
    const reader = await aReaderWithEmail();
    for (const author of authors) await given.aFollow(reader, author);
    await lastActiveAt(reader, LONG_AGO);

    // when the run that notifies it dies after k writes, and the next run comes once its lease is over
    const t0 = new Date();
    const first = await beginRun({ dryRun: false, cutoff: defaultCutoff(t0, config.INACTIVE_AFTER_DAYS) }, t0);
    const faults = killedAfter(k);
    await runToCompletion(ticketOf(first), { now: () => t0, budgetMs: 60_000 }).catch(() => undefined);
    faults.stop();
    await aRunAt(plus(t0, LEASE_EXPIRED_MS));

    // then its one notice went out, and both authors count it at that notice's time
    const notices = (await getStoredAccountState(reader.userId))!.notices;
    expect(notices.map((notice) => notice.sentAt !== undefined)).toEqual([true]);
    const at = plus(new Date(notices[0]!.recordedAt), 30 * S).toISOString();
    for (const author of authors) {
      expect(await outlookOf(author)).toEqual({
        followerCount: 1,
        followersUnderNotice: 1,
        earliestDeactivation: at,
      });
    }
  });
});
