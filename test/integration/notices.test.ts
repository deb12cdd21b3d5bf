import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

// Notices before deletion (contract 1.1, "Notice before deletion"), end to end against DynamoDB Local and the local
// mail sink (MailDev): runs at a moving clock with a schedule of seconds, the mail read back from the sink's API.
vi.hoisted(() => {
  process.env.DELETION_NOTICE_LEADS = "PT3S,PT2S,PT1S";
});

import type { RunningMailSink } from "../../infra/local/mail-sink";
import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { documentClient, tableName } from "../../shared/db/client";
import { cleanupKeys, collections, keys } from "../../shared/db/keys";
import { randomUUID } from "node:crypto";
import { noticeTotals, tally } from "../../shared/db/notice-store";
import { api, tokenFor } from "../support/api/in-process";
import { expectNoDrift } from "../support/audit";
import { exists, expectCountsEqualRelations, expectNoCleanupLeftovers, lastActiveAt } from "../support/cleanup";
import { htmlAsText } from "../support/mail";
import {
  aMailerFailingOnceFor,
  aReaderWithEmail,
  aRunAt,
  noticesMailedTo,
  noticesShown,
  plus,
  theLocalMailSink,
  type MailedUser,
} from "../support/notices";
import { itemSize, writeUnitsOf } from "../support/item-size";
import { storedItem, storedItems } from "../support/storage";
import { given } from "../support/given";
import { expectStatus, type TestUser } from "../support/host";
import { when } from "../support/when";

const LONG_AGO = "2025-01-10T08:00:00.000Z";
const S = 1000;

let sink: RunningMailSink;
let admin: TestUser;
beforeAll(async () => {
  sink = await theLocalMailSink();
  admin = await given.anAdmin();
});
afterAll(() => sink.stop());
// The audit is the oracle of every schedule these tests leave behind: in order, each unsent notice queued once.
afterEach(() => expectNoDrift("after the test"));

/** How many mails the sink holds for the reader's address. */
async function mailsTo(reader: MailedUser): Promise<number> {
  const all = (await (await fetch(`${sink.inboxUrl}/api/email`)).json()) as { to: { address: string }[] }[];
  return all.filter((mail) => mail.to.some((to) => to.address === reader.email)).length;
}

/** Readers last active long ago: a backlog the first run finds. */
async function longInactiveReaders(count: number, email?: string | null): Promise<MailedUser[]> {
  const readers = await Promise.all(Array.from({ length: count }, () => aReaderWithEmail(email)));
  for (const reader of readers) await lastActiveAt(reader, LONG_AGO);
  return readers;
}

describe("a full schedule (leads PT3S, PT2S, PT1S)", () => {
  it("warns a backlog first, notice after notice in order, and deletes only a whole schedule later", async () => {
    // Given a backlog of long-inactive readers, one of them following an author (before it fell inactive).
    const author = await given.anAuthor();
    const follower = await aReaderWithEmail();
    await given.aFollow(follower, author);
    await lastActiveAt(follower, LONG_AGO);
    const backlog = [follower, ...(await longInactiveReaders(2))];
    const t0 = new Date();

    // When the first run finds them: each gets its first notice, nobody is deleted.
    const first = await aRunAt(t0);
    expect(first).toMatchObject({ status: "succeeded", accountsDeleted: 0 });
    expect(first.noticesSent).toBeGreaterThanOrEqual(3);
    expect(first.deletionsDeferred).toBeGreaterThanOrEqual(3);
    for (const reader of backlog) {
      expect(await exists(reader)).toBe(true);
      expect(await noticesShown(admin, reader)).toEqual([
        { lead: "PT3S", sentAt: t0.toISOString(), deletionAfter: plus(t0, 3 * S).toISOString(), delivery: "sent" },
      ]);
    }

    // Then the gaps hold: too early for the second notice (3 s − 2 s = 1 s after the first), then it is due.
    const early = await aRunAt(plus(t0, 500));
    expect(early.accountsDeleted).toBe(0);
    expect(await noticesShown(admin, backlog[0]!)).toHaveLength(1);
    await aRunAt(plus(t0, 1 * S));
    await aRunAt(plus(t0, 2 * S));
    const leads = (await noticesShown(admin, backlog[0]!)).map((notice) => notice.lead);
    expect(leads).toEqual(["PT1S", "PT2S", "PT3S"]);

    // Not before the last lead has passed since the last notice.
    const beforeEnd = await aRunAt(plus(t0, 2.5 * S));
    expect(beforeEnd.accountsDeleted).toBe(0);
    for (const reader of backlog) expect(await exists(reader)).toBe(true);

    // A whole schedule (the first lead) after the first notice: deleted, counts exact, the reason on the history.
    const last = await aRunAt(plus(t0, 3 * S));
    expect(last.accountsDeleted).toBeGreaterThanOrEqual(3);
    for (const reader of backlog) expect(await exists(reader)).toBe(false);
    await expectCountsEqualRelations([author]);
    const history = (await api.GET("/users/{userId}/follower-history", { path: { userId: author.userId } })).data.items;
    expect(history[0]).toMatchObject({ runId: last.runId, before: 1, after: 0, reason: "inactive_accounts_deleted" });
    await expectNoCleanupLeftovers();
    expect(await storedItems(collections.queuedNotices())).toEqual([]);

    // And each reader got three mails, in order, once each.
    const mails = await noticesMailedTo(sink, backlog[1]!, 3);
    expect(mails.map((mail) => mail.subject)).toEqual([
      "Ihr Konto wird in 3 Sekunden gelöscht / Your account will be deleted in 3 seconds",
      "Ihr Konto wird in 2 Sekunden gelöscht / Your account will be deleted in 2 seconds",
      "Ihr Konto wird in einer Sekunde gelöscht / Your account will be deleted in 1 second",
    ]);
  });

  it("sends a mail that reads right in both languages: when, how to keep the account, what goes, what stays, the export", async () => {
    const [reader] = await longInactiveReaders(1);
    const at = new Date("2026-03-02T03:30:00.000Z");
    await lastActiveAt(reader!, "2025-03-01T12:00:00.000Z");
    await aRunAt(at, { cutoff: "2026-03-02T03:29:59.000Z" });
    const [mail, ...more] = await noticesMailedTo(sink, reader!);
    expect(more).toEqual([]);
    expect(mail!.to).toMatchObject({ value: [{ address: reader!.email }] });
    const text = mail!.text!;
    const german = text.slice(0, text.indexOf("Hello,"));
    const english = text.slice(text.indexOf("Hello,"));
    expect(german).toContain(`Ihr Konto @${reader!.handle} wurde seit dem 1. März 2025 nicht mehr genutzt.`);
    expect(german).toContain(
      "Wir löschen Ihr Konto frühestens am Montag, 2. März 2026, um 04:30 Uhr (Mitteleuropäische Normalzeit), also in 3 Sekunden.",
    );
    expect(german).toContain("Jede Anmeldung hebt die Löschung auf");
    expect(german).toContain("GET http://localhost:3000/me/export");
    expect(english).toContain(`Your account @${reader!.handle} has not been used since 1 March 2025.`);
    expect(english).toContain(
      "We will delete your account on Monday, 2 March 2026, at 04:30 (Central European Standard Time) at the earliest, that is in 3 seconds.",
    );
    expect(english).toContain("Any sign-in cancels the deletion");
    expect(htmlAsText(String(mail!.html))).toContain("your comments stay, but anonymous, without your name");
  });
});

describe("the address", () => {
  it("is the email claim of the account's last token: a changed claim is stored, and the notice goes there", async () => {
    // Given a reader whose newer token carries another address (its last signed-in request).
    const reader = await aReaderWithEmail();
    const email = `${randomUUID()}@example.test`;
    const moved: MailedUser = { ...reader, email, token: tokenFor(reader.userId, [], { email }) };
    expectStatus(await when.readsOwnAccount(moved), 200);
    await lastActiveAt(reader, LONG_AGO);
    // When a run warns it.
    await aRunAt(new Date());
    // Then the notice went to the newer address.
    const [mail] = await noticesMailedTo(sink, moved);
    expect(mail!.to).toMatchObject({ value: [{ address: moved.email }] });
  });
});

describe("withdrawal", () => {
  it("by activity: the next signed-in request marks the account active within the hour, and the schedule is gone", async () => {
    // Given a reader inactive for 10 minutes, against a cutoff 5 minutes ago: warned.
    const reader = await aReaderWithEmail();
    const now = new Date();
    await lastActiveAt(reader, plus(now, -10 * 60 * S).toISOString());
    const cutoff = plus(now, -5 * 60 * S).toISOString();
    await aRunAt(now, { cutoff });
    expect(await noticesShown(admin, reader)).toHaveLength(1);

    // When it signs in (its activity is only 10 minutes old: without notices pending, nothing would be written).
    expectStatus(await when.readsOwnAccount(reader), 200);

    // Then it is active, support sees no schedule, and the next runs neither warn nor delete it.
    const me = (await when.readsOwnAccount(reader)).data;
    expect(Date.parse(me.lastActiveAt)).toBeGreaterThanOrEqual(now.getTime());
    expect(await noticesShown(admin, reader)).toEqual([]);
    await aRunAt(plus(now, 4 * S), { cutoff });
    expect(await exists(reader)).toBe(true);
    expect(await noticesShown(admin, reader)).toEqual([]);
    expect(await noticesMailedTo(sink, reader)).toHaveLength(1);
  });

  it("by a new entitlement; revoked, the account falls inactive again and its schedule starts over", async () => {
    const [reader] = await longInactiveReaders(1);
    const t0 = new Date();
    await aRunAt(t0);
    await aRunAt(plus(t0, 1 * S));
    expect(await noticesShown(admin, reader!)).toHaveLength(2);

    // An entitlement exempts it: withdrawn at once for support staff, cleared by the next run, never deleted.
    await given.entitlements(admin, reader!, [{ tier: "plus" }]);
    expect(await noticesShown(admin, reader!)).toEqual([]);
    await aRunAt(plus(t0, 5 * S));
    expect(await exists(reader!)).toBe(true);
    expect((await storedItem(keys.account(reader!.userId)))!.noticeSchedule).toBeUndefined();

    // Revoked: the next run starts the schedule over at the first lead, and deletes only a whole schedule later.
    await given.entitlements(admin, reader!, []);
    const restart = plus(t0, 6 * S);
    await aRunAt(restart);
    expect((await noticesShown(admin, reader!)).map((notice) => notice.lead)).toEqual(["PT3S"]);
    await aRunAt(plus(restart, 2 * S));
    expect(await exists(reader!)).toBe(true);
  });
});

describe("undeliverable accounts", () => {
  it("are recorded undeliverable and follow the same schedule to the deletion", async () => {
    const [reader] = await longInactiveReaders(1, null);
    const t0 = new Date();
    for (const offset of [0, 1, 2]) await aRunAt(plus(t0, offset * S));
    expect((await noticesShown(admin, reader!)).map((notice) => [notice.lead, notice.delivery])).toEqual([
      ["PT1S", "undeliverable"],
      ["PT2S", "undeliverable"],
      ["PT3S", "undeliverable"],
    ]);
    await aRunAt(plus(t0, 3 * S));
    expect(await exists(reader!)).toBe(false);
  });
});

describe("a crash between recording a notice and delivering it", () => {
  it("leaves the notice queued; the next run delivers it, once, and the schedule goes on from its delivery", async () => {
    const [reader] = await longInactiveReaders(1);
    const t0 = new Date();
    // The mail service is unreachable right after the notice was recorded: the run fails.
    const failed = await aRunAt(t0, { mailer: aMailerFailingOnceFor(reader!) });
    expect(failed.status).toBe("failed");
    // Queued on its schedule entry: what the message says (the account and the schedule as recorded), not the
    // message; no outbox item, and the profile still one write unit with it.
    const profile = await storedItem(keys.account(reader!.userId));
    expect(profile!.noticeSchedule).toEqual([
      {
        lead: "PT3S",
        recordedAt: t0.toISOString(),
        queued: {
          handle: reader!.handle,
          lastActiveAt: LONG_AGO,
          deletionNotBefore: plus(t0, 3 * S).toISOString(),
        },
      },
    ]);
    expect(await storedItem(cleanupKeys.queuedNotice(reader!.userId))).toBeNull();
    expect(itemSize(marshall(profile!)), "the profile with a queued notice, in bytes").toBeLessThan(1024);
    expect(writeUnitsOf(itemSize(marshall(profile!)))).toBe(1);
    // The run's tally: one item for the account, the notice and the deletion it defers.
    expect(await storedItem(cleanupKeys.runTally(failed.runId, reader!.userId))).toMatchObject({
      notice: true,
      deferred: true,
    });
    expect(await noticesShown(admin, reader!)).toEqual([]);
    await expectNoDrift("with the notice recorded and queued, not yet delivered");

    // The next run delivers the queued notice first (not a new one), and records it sent at its delivery.
    const next = plus(t0, 2 * S);
    await aRunAt(next);
    expect(await noticesShown(admin, reader!)).toEqual([
      { lead: "PT3S", sentAt: next.toISOString(), deletionAfter: plus(next, 3 * S).toISOString(), delivery: "sent" },
    ]);
    // Settled: sent, its facts gone with the settlement.
    expect((await storedItem(keys.account(reader!.userId)))!.noticeSchedule).toEqual([
      { lead: "PT3S", recordedAt: t0.toISOString(), sentAt: next.toISOString(), delivery: "sent" },
    ]);
    const mails = await noticesMailedTo(sink, reader!);
    expect(mails).toHaveLength(1);
    // Composed at its delivery from what was queued: the lead and the earliest deletion of its record.
    expect(mails[0]!.subject).toBe("Ihr Konto wird in 3 Sekunden gelöscht / Your account will be deleted in 3 seconds");
    expect(mails[0]!.text).toContain(`Your account @${reader!.handle} has not been used since 10 January 2025.`);
    // The gap counts from the delivery: the second notice is not due one second after it.
    await aRunAt(plus(next, 500));
    expect(await noticesShown(admin, reader!)).toHaveLength(1);
  });
});

/**
 * A notice recorded and left queued by a crash, as an earlier release left it: the schedule entry without facts, and
 * an outbox item holding `form` (the composed message, or the facts).
 */
async function queuedByAnEarlierRelease(reader: MailedUser, form: Record<string, unknown>) {
  const t0 = new Date();
  const failed = await aRunAt(t0, { mailer: aMailerFailingOnceFor(reader) });
  expect(failed.status).toBe("failed");
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.account(reader.userId),
      UpdateExpression: "REMOVE noticeSchedule[0].queued",
    }),
  );
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...cleanupKeys.queuedNotice(reader.userId),
        entityType: "queuedNotice",
        userId: reader.userId,
        runId: failed.runId,
        lead: "PT3S",
        recordedAt: t0.toISOString(),
        ...form,
      },
    }),
  );
  await expectNoDrift("with a notice queued in the earlier form");
  return t0;
}

describe("a notice an earlier release queued in the outbox (read for one release)", () => {
  it("holding the composed message: delivered as it was composed, once, and the schedule goes on from its delivery", async () => {
    const [reader] = await longInactiveReaders(1);
    const message = {
      subject: "Ihr Konto wird in 3 Sekunden gelöscht (earlier release)",
      text: "Composed by the earlier release.\n",
      html: "<p>Composed by the earlier release.</p>",
    };
    const t0 = await queuedByAnEarlierRelease(reader!, { message });

    // When the next run finds it: sent as it is, recorded sent, the outbox empty.
    const next = plus(t0, 2 * S);
    await aRunAt(next);
    const [mail, ...more] = await noticesMailedTo(sink, reader!);
    expect(more).toEqual([]);
    expect([mail!.subject, mail!.text]).toEqual([message.subject, message.text]);
    expect(await noticesShown(admin, reader!)).toEqual([
      { lead: "PT3S", sentAt: next.toISOString(), deletionAfter: plus(next, 3 * S).toISOString(), delivery: "sent" },
    ]);
    expect(await storedItem(cleanupKeys.queuedNotice(reader!.userId))).toBeNull();
  });

  it("holding the facts: composed and delivered once, the outbox empty", async () => {
    const [reader] = await longInactiveReaders(1);
    const facts = { handle: reader!.handle, lastActiveAt: LONG_AGO };
    const t0 = await queuedByAnEarlierRelease(reader!, {
      ...facts,
      deletionNotBefore: "2030-01-01T00:00:00.000Z",
    });

    const next = plus(t0, 2 * S);
    await aRunAt(next);
    const [mail, ...more] = await noticesMailedTo(sink, reader!);
    expect(more).toEqual([]);
    expect(mail!.text).toContain(`Your account @${reader!.handle} has not been used since 10 January 2025.`);
    expect((await noticesShown(admin, reader!)).map((notice) => notice.sentAt)).toEqual([next.toISOString()]);
    expect(await storedItem(cleanupKeys.queuedNotice(reader!.userId))).toBeNull();
  });

  it("withdrawn meanwhile (its owner signed in): dropped unsent, and the schedule cleared", async () => {
    const [reader] = await longInactiveReaders(1);
    const t0 = await queuedByAnEarlierRelease(reader!, {
      handle: reader!.handle,
      lastActiveAt: LONG_AGO,
      deletionNotBefore: "2030-01-01T00:00:00.000Z",
    });
    expectStatus(await when.readsOwnAccount(reader!), 200);

    // The next run finds it in the outbox (no longer in the inactivity index): nothing sent, nothing left.
    await aRunAt(plus(t0, 2 * S));
    expect(await storedItem(cleanupKeys.queuedNotice(reader!.userId))).toBeNull();
    expect((await storedItem(keys.account(reader!.userId)))!.noticeSchedule).toBeUndefined();
    expect(await noticesShown(admin, reader!)).toEqual([]);
    expect(await mailsTo(reader!)).toBe(0);
  });
});

describe("a notice queued on a schedule its owner withdrew (signed in) before it went out", () => {
  it("is never sent: the next run that meets the account clears the schedule with its facts", async () => {
    const [reader] = await longInactiveReaders(1);
    const t0 = new Date();
    expect((await aRunAt(t0, { mailer: aMailerFailingOnceFor(reader!) })).status).toBe("failed");
    expectStatus(await when.readsOwnAccount(reader!), 200);

    // A run whose cutoff is after the sign-in meets the account: the withdrawn schedule is cleared, unsent, and the
    // account (inactive against that cutoff) starts a schedule over: one notice, the new run's.
    const later = plus(t0, 4 * S);
    await aRunAt(later, { cutoff: later.toISOString() });
    const schedule = (await storedItem(keys.account(reader!.userId)))!.noticeSchedule as { recordedAt: string }[];
    expect(schedule.map((notice) => notice.recordedAt)).toEqual([later.toISOString()]);
    expect(await noticesMailedTo(sink, reader!)).toHaveLength(1);
  });
});

describe("a run's totals", () => {
  it("count each account once per kind: a deferral tallied again keeps its notice, and a run under way at a deploy counts the earlier release's tallies too", async () => {
    // Given a run whose partition holds an earlier release's tallies (an item per kind) for accounts a and b.
    const runId = `01TALLY${randomUUID()}`;
    const now = new Date();
    for (const [key, userId] of [
      [cleanupKeys.noticeTally(runId, "a"), "a"],
      [cleanupKeys.deferredTally(runId, "a"), "a"],
      [cleanupKeys.deferredTally(runId, "b"), "b"],
    ] as const) {
      await documentClient.send(
        new PutCommand({ TableName: tableName, Item: { ...key, entityType: "runTally", userId, expiresAt: 1 } }),
      );
    }
    // When this release tallies a (a step retried after the deploy), and c: its notice with the deferral, then the
    // deferral again (a retried step).
    await tally(runId, "a", { notice: true, deferred: true }, now);
    await tally(runId, "c", { notice: true, deferred: true }, now);
    await tally(runId, "c", { deferred: true }, now);

    // Then: notices a and c, deferrals a, b and c; c's item counts both.
    expect(await noticeTotals(runId)).toEqual({ noticesSent: 2, deletionsDeferred: 3 });
    expect(await storedItem(cleanupKeys.runTally(runId, "c"))).toMatchObject({ notice: true, deferred: true });
  });
});

describe("dry runs", () => {
  it("forecast notices and deferred deletions, and change nothing: no schedule, no outbox, no mail", async () => {
    const [reader] = await longInactiveReaders(1);
    const stored = await storedItem(keys.account(reader!.userId));
    const mailsBefore = ((await (await fetch(`${sink.inboxUrl}/api/email`)).json()) as unknown[]).length;
    const dry = await aRunAt(new Date(), { dryRun: true });
    expect(dry).toMatchObject({ status: "succeeded", dryRun: true, accountsDeleted: 0 });
    expect(dry.noticesSent).toBeGreaterThanOrEqual(1);
    expect(dry.deletionsDeferred).toBeGreaterThanOrEqual(1);
    expect(await storedItem(keys.account(reader!.userId))).toEqual(stored);
    expect(await storedItem(cleanupKeys.queuedNotice(reader!.userId))).toBeNull();
    expect(((await (await fetch(`${sink.inboxUrl}/api/email`)).json()) as unknown[]).length).toBe(mailsBefore);
  });
});

describe("GET /admin/users/{userId}/notices", () => {
  it("is for admins (403 for others), 404 for an unknown user, and pages newest first", async () => {
    const reader = await given.aReader();
    expect(
      (await api.GET("/admin/users/{userId}/notices", { path: { userId: reader.userId }, token: reader.token })).status,
    ).toBe(403);
    expect(
      (await api.GET("/admin/users/{userId}/notices", { path: { userId: "nobody-here" }, token: admin.token })).status,
    ).toBe(404);
    const [warned] = await longInactiveReaders(1);
    const t0 = new Date();
    await aRunAt(t0);
    await aRunAt(plus(t0, 1 * S));
    const first = await api.GET("/admin/users/{userId}/notices", {
      path: { userId: warned!.userId },
      query: { limit: 1 },
      token: admin.token,
    });
    expect(first.data.items.map((notice: { lead: string }) => notice.lead)).toEqual(["PT2S"]);
    const second = await api.GET("/admin/users/{userId}/notices", {
      path: { userId: warned!.userId },
      query: { limit: 1, cursor: first.data.nextCursor! },
      token: admin.token,
    });
    expect(second.json).toEqual({ items: [expect.objectContaining({ lead: "PT3S" })], nextCursor: null });
    expect(
      (
        await api.GET("/admin/users/{userId}/notices", {
          path: { userId: warned!.userId },
          query: { cursor: "x.y" },
          token: admin.token,
        })
      ).status,
    ).toBe(400);
  });
});
