// Notice schedules made directly, for tests about what races them (a signed-in request against a run's step): an
// inactive reader with a schedule at a given stage, a mail service that takes every notice, and a whole run for one
// candidate at a chosen instant. Suites that set DELETION_NOTICE_LEADS to "PT3S,PT2S,PT1S" (vi.hoisted) use them.
import { expect } from "vitest";
import { getStoredAccountState } from "../../shared/db/account-store";
import { recordNotice, settleNotice } from "../../shared/db/notice-store";
import type { RunTicket } from "../../shared/domain/cleanup";
import { deletionNotBefore } from "../../shared/domain/deletion-schedule";
import { isoDuration } from "../../shared/domain/iso-duration";
import { processBatch } from "../../shared/use-cases/cleanup/batch";
import { beginRun, failRun, succeedRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { recountStep } from "../../shared/use-cases/cleanup/recount";
import type { MailerSource } from "../../shared/use-cases/notices";
import { syncOutlook } from "../../shared/use-cases/outlook";
import { lastActiveAt } from "./cleanup-runs";
import { given } from "./given";
import type { TestUser } from "./host";

const LONG_AGO = "2025-01-10T08:00:00.000Z";
const CUTOFF = "2025-06-01T00:00:00.000Z";
const S = 1000;

/** A mail service that takes every notice: delivery is not what these tests are about. */
const accepting: MailerSource = async () => ({
  delivery: { deliver: async () => "sent" },
  links: { exportUrl: "http://localhost:3000/me/export", timeZone: "UTC" },
});

/**
 * A notice of the schedule as a run records it; its facts as a run would write them. `sent`: delivered as a run
 * delivers it, after the sync that puts the account in its followees' outlooks (shared/use-cases/notices.ts,
 * `sendNotice`). Not sent: queued, the sync still due, as a run leaves it that stopped between recording and
 * delivering (its next step, a run, or the account's next request finishes it).
 */
async function aRecordedNotice(user: TestUser, lead: string, at: Date, sent: boolean): Promise<void> {
  const state = (await getStoredAccountState(user.userId))!;
  const queued = {
    userId: user.userId,
    lead,
    recordedAt: at.toISOString(),
    facts: {
      handle: state.account.handle,
      lastActiveAt: state.account.lastActiveAt,
      deletionNotBefore: deletionNotBefore(at.toISOString(), isoDuration(lead)),
    },
  };
  const run = { runId: "01J00000000000000000000000", deletionDeferred: true };
  expect(await recordNotice(state, queued, run, queued.facts.deletionNotBefore, at)).toBe(true);
  if (!sent) return;
  expect(await syncOutlook(user.userId, Date.now() + 60_000), "the outlook synced before the notice is sent").toBe(
    true,
  );
  expect(await settleNotice(queued, state.notices.length, "sent", at.toISOString())).toBe(true);
}

/** A whole run at `now` for one candidate: its batch step (every notice accepted), its recount, its end. */
export async function aRunFor(user: TestUser, now: Date): Promise<RunTicket> {
  const run = ticketOf(await beginRun({ dryRun: false, cutoff: CUTOFF }, now));
  try {
    expect(await processBatch(run, [user.userId], now, 60_000, accepting)).toEqual({ remaining: [] });
    while (!(await recountStep(run, now, 60_000)).done);
    await succeedRun(run, now);
    return run;
  } catch (error) {
    await failRun(run, now);
    throw error;
  }
}

export type ScheduleStage = "none" | "one recorded, not yet sent" | "one sent, the next at its time" | "complete";

/**
 * A reader inactive since long ago (following an author), with its schedule at `stage` (leads PT3S, PT2S, PT1S):
 * none yet, its first notice recorded and queued, its first sent (the second due 2 s after `now`, at the first's
 * outlook time), or every notice sent and the last lead over. Answers the
 * accounts and the instant the schedule was made at.
 */
export async function anInactiveReader(stage: ScheduleStage) {
  const users = { reader: await given.aReader(), author: await given.anAuthor() };
  await given.aFollow(users.reader, users.author);
  await lastActiveAt(users.reader, LONG_AGO);
  const now = new Date();
  if (stage === "one recorded, not yet sent") await aRecordedNotice(users.reader, "PT3S", now, false);
  // Sent 1 s after `now` with the 3 s lead: a run at `now` + 2 s records the second (2 s lead) at the same outlook time.
  if (stage === "one sent, the next at its time") {
    await aRecordedNotice(users.reader, "PT3S", new Date(now.getTime() + S), true);
  }
  if (stage === "complete") {
    await aRecordedNotice(users.reader, "PT3S", new Date(now.getTime() - 20 * S), true);
    await aRecordedNotice(users.reader, "PT2S", new Date(now.getTime() - 16 * S), true);
    await aRecordedNotice(users.reader, "PT1S", new Date(now.getTime() - 13 * S), true);
  }
  return { users, now };
}

/**
 * A reader inactive since long ago following three authors, its first notice recorded (PT3S) and not yet sent: its
 * sync due, its target the one the record wrote (what a notice's step syncs to next). Answers the accounts and that
 * target.
 */
export async function aNoticedReaderOfThree() {
  const users = {
    reader: await given.aReader(),
    a: await given.anAuthor(),
    b: await given.anAuthor(),
    c: await given.anAuthor(),
  };
  for (const author of [users.a, users.b, users.c]) await given.aFollow(users.reader, author);
  await lastActiveAt(users.reader, LONG_AGO);
  await aRecordedNotice(users.reader, "PT3S", new Date(), false);
  const target = (await getStoredAccountState(users.reader.userId))!.outlook.at;
  expect(target, "the record's target").not.toBeNull();
  return { users, target: target! };
}

/**
 * Finishes a world of `anInactiveReader` that an exploration made ahead and never used: a notice recorded and not
 * yet sent leaves the account's outlook sync due (what a crash between recording and delivering leaves; the audit
 * reports it), so the sync the next run or request would run is run here.
 */
export async function anUnusedInactiveReader(reader: TestUser): Promise<void> {
  expect(await syncOutlook(reader.userId, Date.now() + 60_000), "the unused world's outlook synced").toBe(true);
}
