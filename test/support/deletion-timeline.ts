import fc from "fast-check";
import { ACTIVITY_WRITE_INTERVAL_MS } from "../../shared/domain/account";
import {
  activityMustBeWritten,
  decideSchedule,
  isExemptFromDeletion,
  scheduleStartedAt,
  type ScheduleDecision,
  type ScheduledNotice,
} from "../../shared/domain/deletion-schedule";
import type { Entitlement } from "../../shared/domain/entitlements";
import { isoDuration, type Duration } from "../../shared/domain/iso-duration";
import type { Role } from "../../shared/domain/roles";

// Random timelines of one account for the schedule's property tests: cleanup runs, signed-in requests,
// entitlement and role changes, and the outbox delivering queued notices, applied in time order to a small model
// of what the stores will hold. Every run's decision is logged with what the run saw.

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

type TimelineEvent =
  | { kind: "run"; at: number; extraCutoffMs: number; deliverAtOnce: boolean }
  | { kind: "activity"; at: number }
  | { kind: "grant"; at: number; validForMs: number }
  | { kind: "revoke"; at: number }
  | { kind: "role"; at: number; role: Role }
  | { kind: "deliver"; at: number };

export interface Timeline {
  leads: Duration[];
  inactiveAfterMs: number;
  lastActiveAt: number;
  events: TimelineEvent[];
}

/** What one run saw and decided. */
interface RunRecord {
  at: number;
  cutoff: number;
  lastActiveAt: number;
  exempt: boolean;
  /** The schedule before the decision. */
  notices: ScheduledNotice[];
  /** Signed-in requests made at or after the schedule started (before this run). */
  activitySinceStart: number[];
  decision: ScheduleDecision;
}

export interface Outcome {
  runs: RunRecord[];
  /** Every schedule the account had, each as it ended (withdrawn, deleted, or still running), oldest first. */
  schedules: ScheduledNotice[][];
  deletedAt?: number;
}

/** Leads as DELETION_NOTICE_LEADS would hold them: up to 4, distinct, longest first, in whole hours. */
export const leadsArbitrary = fc
  .uniqueArray(fc.integer({ min: 1, max: 45 * 24 }), { maxLength: 4 })
  .map((hours) => hours.sort((a, b) => b - a).map((h) => isoDuration(`PT${h}H`)));

const gap = fc.integer({ min: 60_000, max: 10 * DAY_MS });

/** Events of one kind or another; `disturbance` weighs signed-in requests and exemptions against runs. */
function eventArbitrary(disturbance: number): fc.Arbitrary<(at: number) => TimelineEvent> {
  const run = fc
    .record({ extra: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 60 * DAY_MS })), once: fc.boolean() })
    .map(({ extra, once }) => (at: number): TimelineEvent => ({
      kind: "run",
      at,
      extraCutoffMs: extra,
      deliverAtOnce: once,
    }));
  const kinds = [
    { weight: 12, arbitrary: run },
    { weight: 4, arbitrary: fc.constant((at: number): TimelineEvent => ({ kind: "deliver", at })) },
    { weight: disturbance, arbitrary: fc.constant((at: number): TimelineEvent => ({ kind: "activity", at })) },
    {
      weight: disturbance,
      arbitrary: fc
        .integer({ min: 1, max: 20 * DAY_MS })
        .map((validForMs) => (at: number): TimelineEvent => ({ kind: "grant", at, validForMs })),
    },
    { weight: disturbance, arbitrary: fc.constant((at: number): TimelineEvent => ({ kind: "revoke", at })) },
    {
      weight: disturbance,
      arbitrary: fc
        .constantFrom<Role>("reader", "reader", "author", "admin")
        .map((role) => (at: number): TimelineEvent => ({ kind: "role", at, role })),
    },
  ];
  return fc.oneof(...kinds.filter((kind) => kind.weight > 0));
}

const start = Date.parse("2026-01-01T00:00:00.000Z");

/** A random timeline: leads, the inactivity period, the account's last activity (often long ago), events. */
export const timelineArbitrary: fc.Arbitrary<Timeline> = fc
  .record({
    leads: leadsArbitrary,
    inactiveAfterMs: fc.integer({ min: 1, max: 400 }).map((days) => days * DAY_MS),
    inactiveFor: fc.integer({ min: 0, max: 800 * DAY_MS }),
    // Quiet timelines reach deletion; busy ones withdraw and start over.
    steps: fc
      .constantFrom(0, 1, 3)
      .chain((disturbance) =>
        fc.array(fc.tuple(gap, eventArbitrary(disturbance)), { minLength: 1, maxLength: 150, size: "max" }),
      ),
  })
  .map(({ leads, inactiveAfterMs, inactiveFor, steps }) => {
    let at = start;
    const events = steps.map(([pause, make]) => make((at += pause)));
    return { leads, inactiveAfterMs, lastActiveAt: start - inactiveFor, events };
  });

/** Plays a timeline: each run asks the rule and applies its decision, as the cleanup will. */
export function play(timeline: Timeline): Outcome {
  let lastActiveAt = timeline.lastActiveAt;
  let role: Role = "reader";
  let entitlements: Entitlement[] = [];
  let notices: ScheduledNotice[] = [];
  let activity: number[] = [];
  const schedules: ScheduledNotice[][] = [];
  const runs: RunRecord[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  const deliverPending = (at: number) => {
    const last = notices.at(-1);
    if (last && last.sentAt === undefined) notices = [...notices.slice(0, -1), { ...last, sentAt: iso(at) }];
  };
  const endSchedule = () => {
    if (notices.length > 0) schedules.push(notices);
    notices = [];
  };

  for (const event of timeline.events) {
    switch (event.kind) {
      case "activity": {
        const startedAt = scheduleStartedAt(notices);
        // The activity path: hourly, or at once while a schedule runs.
        if (
          event.at - lastActiveAt > ACTIVITY_WRITE_INTERVAL_MS ||
          activityMustBeWritten(iso(lastActiveAt), startedAt)
        ) {
          lastActiveAt = event.at;
        }
        activity.push(event.at);
        break;
      }
      case "grant":
        entitlements = [{ tier: "plus", validUntil: iso(event.at + event.validForMs) }];
        break;
      case "revoke":
        entitlements = [];
        break;
      case "role":
        role = event.role;
        break;
      case "deliver":
        deliverPending(event.at);
        break;
      case "run": {
        const now = new Date(event.at);
        const cutoff = event.at - timeline.inactiveAfterMs - event.extraCutoffMs;
        const exempt = isExemptFromDeletion({ role, entitlements }, now);
        const startedAt = scheduleStartedAt(notices);
        const activitySinceStart = startedAt === undefined ? [] : activity.filter((t) => t >= Date.parse(startedAt));
        const decision = decideSchedule(
          { lastActiveAt: iso(lastActiveAt), exempt, notices },
          { leads: timeline.leads, cutoff: iso(cutoff), now },
        );
        runs.push({ at: event.at, cutoff, lastActiveAt, exempt, notices, activitySinceStart, decision });
        if (decision.action === "withdraw") endSchedule();
        if (decision.action === "notify") {
          notices = [...notices, { lead: decision.lead, recordedAt: now.toISOString() }];
          if (event.deliverAtOnce) deliverPending(event.at);
        }
        if (decision.action === "delete") {
          endSchedule();
          return { runs, schedules, deletedAt: event.at };
        }
        break;
      }
    }
    if (notices.length === 0) activity = [];
  }
  endSchedule();
  return { runs, schedules };
}
