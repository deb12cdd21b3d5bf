import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  activityMustBeWritten,
  decideSchedule,
  isExemptFromDeletion,
  scheduleInForce,
  type ScheduleFacts,
  type ScheduledNotice,
} from "../../shared/domain/deletion-schedule";
import { isoDuration, type Duration } from "../../shared/domain/iso-duration";
import {
  DAY_MS,
  HOUR_MS,
  leadsArbitrary,
  play,
  timelineArbitrary,
  type Outcome,
  type Timeline,
} from "../support/deletion-timeline";

const defaultLeads = ["P30D", "P7D", "P1D"].map(isoDuration);
const iso = (ms: number) => new Date(ms).toISOString();
const leadTexts = (notices: readonly ScheduledNotice[]) => notices.map((notice) => notice.lead.text);
const prefixOf = (leads: readonly Duration[], length: number) => leads.slice(0, length).map((lead) => lead.text);

// Enough random timelines to cover backlogs, withdrawals mid-schedule, stuck deliveries and config edge cases,
// while the file stays around a second.
const runs = { numRuns: 400 };

describe("the notice schedule over random timelines", () => {
  it("never deletes before every notice went out in order and the last lead passed", () => {
    fc.assert(
      fc.property(timelineArbitrary, (timeline) => {
        const outcome = play(timeline);
        if (outcome.deletedAt === undefined) return;
        const deletion = outcome.runs.at(-1)!;
        const schedule = deletion.notices;
        // Then: the whole configured schedule, each notice sent, each gap and the last lead respected.
        expect(leadTexts(schedule)).toEqual(timeline.leads.map((lead) => lead.text));
        schedule.forEach((notice, i) => {
          expect(notice.sentAt, `notice ${notice.lead.text} went out`).toBeDefined();
          const previous = schedule[i - 1];
          if (previous) {
            expect(Date.parse(notice.recordedAt) - Date.parse(previous.sentAt!)).toBeGreaterThanOrEqual(
              previous.lead.ms - notice.lead.ms,
            );
          }
          expect(Date.parse(notice.recordedAt) + notice.lead.ms, "the date the notice named").toBeLessThanOrEqual(
            deletion.at,
          );
        });
        const last = schedule.at(-1);
        if (last) expect(deletion.at - Date.parse(last.sentAt!)).toBeGreaterThanOrEqual(last.lead.ms);
        // And: inactive, not exempt, and no signed-in request since the schedule started.
        expect(deletion.lastActiveAt).toBeLessThan(deletion.cutoff);
        expect(deletion.exempt).toBe(false);
        expect(deletion.activitySinceStart).toEqual([]);
      }),
      runs,
    );
  });

  it("sends the notices of a schedule in the configured order, each at most once, and only when due", () => {
    fc.assert(
      fc.property(timelineArbitrary, (timeline) => {
        const outcome = play(timeline);
        for (const schedule of outcome.schedules)
          expect(leadTexts(schedule)).toEqual(prefixOf(timeline.leads, schedule.length));
        for (const run of outcome.runs) {
          if (run.decision.action !== "notify") continue;
          expect(run.decision.lead.text).toBe(timeline.leads[run.notices.length]!.text);
          expect(run.lastActiveAt, "lastActiveAt is earlier than the cutoff plus the lead").toBeLessThan(
            run.cutoff + run.decision.lead.ms,
          );
        }
      }),
      runs,
    );
  });

  it("withdraws the schedule whenever the account was active after it started or is exempt", () => {
    fc.assert(
      fc.property(timelineArbitrary, (timeline) => {
        for (const run of play(timeline).runs) {
          const withdrawn = run.notices.length > 0 && (run.exempt || run.activitySinceStart.length > 0);
          expect(run.decision.action === "withdraw", `run at ${iso(run.at)}`).toBe(withdrawn);
          if (run.exempt) expect(["withdraw", "defer"]).toContain(run.decision.action);
        }
      }),
      runs,
    );
  });

  it("deletes an account that stays inactive within a whole schedule of its first notice, given regular runs", () => {
    fc.assert(
      fc.property(
        leadsArbitrary,
        fc.integer({ min: 1, max: 48 }),
        fc.integer({ min: 0, max: 900 }),
        (leads, everyHours, inactiveDays) => {
          const interval = everyHours * HOUR_MS;
          const firstRun = Date.parse("2026-01-01T03:30:00.000Z");
          const timeline: Timeline = {
            leads,
            inactiveAfterMs: 365 * DAY_MS,
            lastActiveAt: firstRun - inactiveDays * DAY_MS,
            events: Array.from({ length: Math.ceil((3 * 365 * DAY_MS) / interval) }, (_, i) => ({
              kind: "run" as const,
              at: firstRun + i * interval,
              extraCutoffMs: 0,
              deliverAtOnce: true,
            })),
          };
          const outcome = play(timeline);
          expect(outcome.deletedAt, "deleted").toBeDefined();
          const firstNotice = outcome.runs.find((run) => run.decision.action === "notify");
          if (leads.length === 0) {
            expect(firstNotice).toBeUndefined();
            expect(
              outcome.runs
                .filter((run) => run.decision.action !== "delete")
                .every((run) => run.lastActiveAt >= run.cutoff),
            ).toBe(true);
            return;
          }
          const longest = leads[0]!.ms;
          expect(outcome.deletedAt! - firstNotice!.at).toBeGreaterThanOrEqual(longest);
          expect(outcome.deletedAt! - firstNotice!.at).toBeLessThanOrEqual(longest + leads.length * interval);
        },
      ),
      runs,
    );
  });
});

// The default schedule (P30D,P7D,P1D, a year of inactivity), runs daily at 03:30 UTC, mail accepted at once.
function dailyRuns(
  timeline: Omit<Timeline, "events" | "leads">,
  from: string,
  days: number,
  extra: Timeline["events"] = [],
): Outcome {
  const first = Date.parse(from);
  const events: Timeline["events"] = Array.from({ length: days }, (_, i) => ({
    kind: "run",
    at: first + i * DAY_MS,
    extraCutoffMs: 0,
    deliverAtOnce: true,
  }));
  return play({ ...timeline, leads: defaultLeads, events: [...events, ...extra].sort((a, b) => a.at - b.at) });
}
const noticeDays = (outcome: Outcome) =>
  outcome.runs.flatMap((run) =>
    run.decision.action === "notify" ? [`${iso(run.at).slice(0, 10)} ${run.decision.lead.text}`] : [],
  );
const year = { inactiveAfterMs: 365 * DAY_MS };

describe("the default schedule", () => {
  it("warns 30, 7 and 1 days before an account's year of inactivity ends, and deletes it then", () => {
    // Given an account last active at 12:00 on 2025-03-01, whose year ends at 12:00 on 2026-03-01.
    const outcome = dailyRuns(
      { ...year, lastActiveAt: Date.parse("2025-03-01T12:00:00.000Z") },
      "2026-01-01T03:30:00.000Z",
      90,
    );
    // Then: the first run less than 30 days before that (2026-01-31 03:30) warns, each next notice follows its gap,
    // and the first run after the year ended deletes it: 30, 7 and 1 days after the notices.
    expect(noticeDays(outcome)).toEqual(["2026-01-31 P30D", "2026-02-23 P7D", "2026-03-01 P1D"]);
    expect(iso(outcome.deletedAt!)).toBe("2026-03-02T03:30:00.000Z");
    const [first] = outcome.runs.filter((run) => run.decision.action === "notify").map((run) => run.decision);
    expect(first).toMatchObject({ deletionNotBefore: "2026-03-02T03:30:00.000Z", deletionDeferred: false });
  });

  it("warns a backlog found by the first run and deletes it a full schedule later, never at once", () => {
    // Given an account inactive for two years when the first run with notices happens.
    const outcome = dailyRuns(
      { ...year, lastActiveAt: Date.parse("2024-01-01T00:00:00.000Z") },
      "2026-01-01T03:30:00.000Z",
      60,
    );
    expect(outcome.runs[0]!.decision).toMatchObject({
      action: "notify",
      deletionDeferred: true,
      deletionNotBefore: "2026-01-31T03:30:00.000Z",
    });
    expect(noticeDays(outcome)).toEqual(["2026-01-01 P30D", "2026-01-24 P7D", "2026-01-30 P1D"]);
    expect(iso(outcome.deletedAt!)).toBe("2026-01-31T03:30:00.000Z");
    // Every run in between counts the account as a deferred deletion.
    expect(
      outcome.runs.slice(0, -1).every((run) => "deletionDeferred" in run.decision && run.decision.deletionDeferred),
    ).toBe(true);
  });

  it("starts over when a signed-in request comes between the notices", () => {
    const outcome = dailyRuns(
      { ...year, lastActiveAt: Date.parse("2024-01-01T00:00:00.000Z") },
      "2026-01-01T03:30:00.000Z",
      120,
      [{ kind: "activity", at: Date.parse("2026-01-27T18:00:00.000Z") }],
    );
    expect(outcome.runs.find((run) => run.decision.action === "withdraw")).toMatchObject({
      at: Date.parse("2026-01-28T03:30:00.000Z"),
      decision: { reason: "activity" },
    });
    expect(outcome.schedules.map(leadTexts)).toEqual([["P30D", "P7D"]]);
    expect(outcome.deletedAt, "kept: a year has not passed since").toBeUndefined();
  });

  it("withdraws for a new entitlement, and starts over at the first lead once it expired", () => {
    const outcome = dailyRuns(
      { ...year, lastActiveAt: Date.parse("2024-01-01T00:00:00.000Z") },
      "2026-01-01T03:30:00.000Z",
      90,
      [{ kind: "grant", at: Date.parse("2026-01-26T12:00:00.000Z"), validForMs: 10 * DAY_MS }],
    );
    expect(outcome.runs.find((run) => run.decision.action === "withdraw")?.decision).toEqual({
      action: "withdraw",
      reason: "exemption",
    });
    // The entitlement ends at 12:00 on 2026-02-05: the next morning's run starts over.
    expect(noticeDays(outcome)).toEqual([
      "2026-01-01 P30D",
      "2026-01-24 P7D",
      "2026-02-06 P30D",
      "2026-03-01 P7D",
      "2026-03-07 P1D",
    ]);
    expect(iso(outcome.deletedAt!)).toBe("2026-03-08T03:30:00.000Z");
  });

  it("waits for a notice stuck in the outbox: the gaps count from when it went out", () => {
    const pending: ScheduleFacts = {
      lastActiveAt: "2024-01-01T00:00:00.000Z",
      exempt: false,
      notices: [{ lead: defaultLeads[0]!, recordedAt: "2026-01-01T03:30:00.000Z" }],
    };
    const run = { leads: defaultLeads, cutoff: "2025-02-01T00:00:00.000Z", now: new Date("2026-02-10T00:00:00.000Z") };
    expect(decideSchedule(pending, run)).toEqual({
      action: "defer",
      reason: "delivery-pending",
      deletionDeferred: true,
    });
    const sentLate = { ...pending, notices: [{ ...pending.notices[0]!, sentAt: "2026-01-20T00:00:00.000Z" }] };
    expect(decideSchedule(sentLate, run)).toEqual({ action: "defer", reason: "not-due", deletionDeferred: true });
    expect(decideSchedule(sentLate, { ...run, now: new Date("2026-02-12T00:00:00.000Z") })).toMatchObject({
      action: "notify",
      leadIndex: 1,
    });
  });
});

describe("without leads (DELETION_NOTICE_LEADS empty)", () => {
  it("deletes an inactive account at once, as version 1 did", () => {
    const run = { leads: [], cutoff: "2025-06-01T00:00:00.000Z", now: new Date("2026-06-01T00:00:00.000Z") };
    expect(decideSchedule({ lastActiveAt: "2025-05-31T23:59:59.999Z", exempt: false, notices: [] }, run)).toEqual({
      action: "delete",
    });
    expect(decideSchedule({ lastActiveAt: "2025-06-01T00:00:00.000Z", exempt: false, notices: [] }, run)).toEqual({
      action: "defer",
      reason: "not-due",
      deletionDeferred: false,
    });
    expect(decideSchedule({ lastActiveAt: "2020-01-01T00:00:00.000Z", exempt: true, notices: [] }, run)).toEqual({
      action: "defer",
      reason: "exempt",
      deletionDeferred: false,
    });
  });

  it("finishes a schedule begun under longer leads after its last lead", () => {
    const begun: ScheduleFacts = {
      lastActiveAt: "2024-01-01T00:00:00.000Z",
      exempt: false,
      notices: [{ lead: defaultLeads[0]!, recordedAt: "2026-05-01T00:00:00.000Z", sentAt: "2026-05-01T00:00:01.000Z" }],
    };
    const run = { leads: [], cutoff: "2025-06-01T00:00:00.000Z", now: new Date("2026-05-31T00:00:00.000Z") };
    expect(decideSchedule(begun, run)).toEqual({ action: "defer", reason: "not-due", deletionDeferred: true });
    expect(decideSchedule(begun, { ...run, now: new Date("2026-05-31T00:00:01.000Z") })).toEqual({ action: "delete" });
  });
});

describe("exemption, activity and the schedule support staff see", () => {
  const now = new Date("2026-06-01T00:00:00.000Z");

  it("exempts authors, admins and holders of an unexpired entitlement", () => {
    expect(isExemptFromDeletion({ role: "reader", entitlements: [] }, now)).toBe(false);
    expect(isExemptFromDeletion({ role: "author", entitlements: [] }, now)).toBe(true);
    expect(isExemptFromDeletion({ role: "admin", entitlements: [] }, now)).toBe(true);
    expect(
      isExemptFromDeletion(
        { role: "reader", entitlements: [{ tier: "plus", validUntil: "2026-06-01T00:00:00.001Z" }] },
        now,
      ),
    ).toBe(true);
    expect(
      isExemptFromDeletion(
        { role: "reader", entitlements: [{ tier: "plus", validUntil: "2026-06-01T00:00:00.000Z" }] },
        now,
      ),
    ).toBe(false);
  });

  it("makes the next signed-in request write its activity while a schedule runs, whatever the hour", () => {
    expect(activityMustBeWritten("2026-05-31T23:59:00.000Z", "2026-06-01T00:00:00.000Z")).toBe(true);
    expect(activityMustBeWritten("2026-06-01T00:00:00.000Z", "2026-06-01T00:00:00.000Z")).toBe(false);
    expect(activityMustBeWritten("2025-01-01T00:00:00.000Z", undefined)).toBe(false);
  });

  it("shows the schedule newest first, and nothing once withdrawn", () => {
    const notices: ScheduledNotice[] = [
      { lead: defaultLeads[0]!, recordedAt: "2026-05-01T00:00:00.000Z", sentAt: "2026-05-01T00:00:02.000Z" },
      { lead: defaultLeads[1]!, recordedAt: "2026-05-24T00:00:00.000Z" },
    ];
    const facts = { lastActiveAt: "2025-01-01T00:00:00.000Z", exempt: false, notices };
    expect(leadTexts(scheduleInForce(facts))).toEqual(["P7D", "P30D"]);
    expect(scheduleInForce({ ...facts, lastActiveAt: "2026-05-01T00:00:00.000Z" })).toEqual([]);
    expect(scheduleInForce({ ...facts, exempt: true })).toEqual([]);
  });
});
