import { describe, expect, it } from "vitest";
import { parseConfig } from "../../shared/config";
import { localFunctionEnv } from "../support/function-environments";
import {
  countChangesOf,
  defaultCutoff,
  intoBatches,
  isDeletionCandidate,
  monthsThrough,
  resolveCutoff,
} from "../../shared/domain/cleanup";

const now = new Date("2026-06-15T12:00:00.000Z");
const cutoff = "2025-06-15T12:00:00.000Z";
const reader = { role: "reader" as const, lastActiveAt: "2025-01-01T00:00:00.000Z", entitlements: [] };

describe("the candidate rule", () => {
  it("takes readers last active before the cutoff, without an unexpired entitlement", () => {
    expect(isDeletionCandidate(reader, cutoff, now)).toBe(true);
    expect(
      isDeletionCandidate(
        { ...reader, entitlements: [{ tier: "plus", validUntil: "2026-01-01T00:00:00Z" }] },
        cutoff,
        now,
      ),
    ).toBe(true);
  });

  it("never takes authors, admins, the recently active or holders of an unexpired entitlement", () => {
    expect(isDeletionCandidate({ ...reader, role: "author" }, cutoff, now)).toBe(false);
    expect(isDeletionCandidate({ ...reader, role: "admin" }, cutoff, now)).toBe(false);
    expect(isDeletionCandidate({ ...reader, lastActiveAt: cutoff }, cutoff, now)).toBe(false);
    expect(isDeletionCandidate({ ...reader, lastActiveAt: "2025-06-15T12:00:00.001Z" }, cutoff, now)).toBe(false);
    expect(isDeletionCandidate({ ...reader, entitlements: [{ tier: "ultimate" }] }, cutoff, now)).toBe(false);
    expect(
      isDeletionCandidate(
        { ...reader, entitlements: [{ tier: "select", authorId: "a", validUntil: "2026-06-15T12:00:01Z" }] },
        cutoff,
        now,
      ),
    ).toBe(false);
  });

  it("compares times as instants, whatever their offset", () => {
    expect(isDeletionCandidate({ ...reader, lastActiveAt: "2025-06-15T13:00:00+02:00" }, cutoff, now)).toBe(true);
  });
});

describe("the cutoff rule", () => {
  it("defaults to INACTIVE_AFTER_DAYS before now", () => {
    expect(defaultCutoff(now, 365)).toBe("2025-06-15T12:00:00.000Z");
    expect(resolveCutoff(undefined, now, 30)).toEqual({ cutoff: "2026-05-16T12:00:00.000Z" });
  });

  it("normalises a given cutoff to UTC with milliseconds and refuses one in the future", () => {
    expect(resolveCutoff("2025-01-01T02:00:00+02:00", now, 365)).toEqual({ cutoff: "2025-01-01T00:00:00.000Z" });
    expect(resolveCutoff(now.toISOString(), now, 365)).toEqual({ cutoff: now.toISOString() });
    expect(resolveCutoff("2026-06-15T12:00:00.001Z", now, 365)).toEqual({
      problem: { field: "cutoff", message: "must not be in the future" },
    });
    expect(resolveCutoff("soon", now, 365)).toEqual({
      problem: { field: "cutoff", message: "must be an ISO-8601 time" },
    });
  });
});

describe("count changes", () => {
  it("lists the accounts whose follower count changed, in user-ID order", () => {
    expect(
      countChangesOf([
        { userId: "b", before: 10, after: 7 },
        { userId: "a", before: 3, after: 3 },
        { userId: "c", before: 0, after: 2 },
        { userId: "a2", before: 5, after: 4 },
      ]),
    ).toEqual([
      { userId: "a2", before: 5, after: 4 },
      { userId: "b", before: 10, after: 7 },
      { userId: "c", before: 0, after: 2 },
    ]);
  });
});

describe("index months and batches", () => {
  it("reads every month from the first through the cutoff's", () => {
    expect(monthsThrough("2025-02-10T00:00:00.000Z", "2024-11")).toEqual(["2024-11", "2024-12", "2025-01", "2025-02"]);
    expect(monthsThrough("2024-10-31T00:00:00.000Z", "2024-11")).toEqual([]);
  });

  it("splits candidates into bounded batches", () => {
    expect(intoBatches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(intoBatches([], 2)).toEqual([]);
  });
});

describe("the cleanup runner's configuration", () => {
  const env = localFunctionEnv;
  it("has no default runner; Step Functions needs the state machine's ARN", () => {
    expect(parseConfig(env).CLEANUP_RUNNER).toBeUndefined();
    expect(parseConfig({ ...env, CLEANUP_RUNNER: "in-process" }).CLEANUP_RUNNER).toBe("in-process");
    expect(() => parseConfig({ ...env, CLEANUP_RUNNER: "step-functions" })).toThrow(/CLEANUP_STATE_MACHINE_ARN/);
    expect(() => parseConfig({ ...env, CLEANUP_RUNNER: "elsewhere" })).toThrow(/CLEANUP_RUNNER/);
    const arn = "arn:aws:states:eu-central-1:123456789012:stateMachine:Cleanup";
    expect(
      parseConfig({ ...env, CLEANUP_RUNNER: "step-functions", CLEANUP_STATE_MACHINE_ARN: arn })
        .CLEANUP_STATE_MACHINE_ARN,
    ).toBe(arn);
  });
});
