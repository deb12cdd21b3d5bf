import { describe, expect, it } from "vitest";
import { accountRefreshFor, type Account } from "../../shared/domain/account";
import { isUnexpired } from "../../shared/domain/entitlements";

const now = new Date("2026-06-01T12:00:00.000Z");
const account = (lastActiveAt: string, role: Account["role"] = "reader"): Account => ({
  userId: "u",
  handle: "u_1",
  displayName: "U",
  role,
  followerCount: 0,
  followingCount: 0,
  postCount: 0,
  createdAt: "2026-01-01T00:00:00.000Z",
  lastActiveAt,
  entitlements: [],
});

describe("accountRefreshFor", () => {
  it("writes nothing when activity is at most an hour old and the role is unchanged", () => {
    expect(accountRefreshFor(account("2026-06-01T11:00:00.000Z"), { userId: "u", role: "reader" }, now)).toBeNull();
  });

  it("writes the activity time once it is more than an hour old", () => {
    expect(accountRefreshFor(account("2026-06-01T10:59:59.999Z"), { userId: "u", role: "reader" }, now)).toEqual({
      lastActiveAt: now.toISOString(),
    });
  });

  it("writes the activity time whatever the hour while notices before deletion are pending, and not once they are withdrawn", () => {
    // Given an account last active 10 minutes ago, whose notice schedule started 5 minutes ago.
    const warned = { ...account("2026-06-01T11:50:00.000Z"), noticesPendingSince: "2026-06-01T11:55:00.000Z" };
    // Then its next signed-in request writes its activity (which withdraws the schedule).
    expect(accountRefreshFor(warned, { userId: "u", role: "reader" }, now)).toEqual({
      lastActiveAt: now.toISOString(),
    });
    // And once activity at or after the schedule's start is stored, requests write nothing within the hour again.
    const withdrawn = { ...warned, lastActiveAt: "2026-06-01T11:56:00.000Z" };
    expect(accountRefreshFor(withdrawn, { userId: "u", role: "reader" }, now)).toBeNull();
  });

  it("writes the activity at the schedule's start when the run that started it ran on a clock ahead of this one", () => {
    // Given a schedule started 2 s after this request's own time (the run's clock runs ahead).
    const warned = { ...account("2025-01-10T08:00:00.000Z"), noticesPendingSince: "2026-06-01T12:00:02.000Z" };
    // Then the request's activity is written at that start, so that it withdraws the schedule it came after.
    expect(accountRefreshFor(warned, { userId: "u", role: "reader" }, now)).toEqual({
      lastActiveAt: "2026-06-01T12:00:02.000Z",
    });
  });

  it("writes the token's email claim when it differs from the stored one, and nothing while it is the same", () => {
    const recent = account("2026-06-01T11:30:00.000Z");
    expect(accountRefreshFor(recent, { userId: "u", role: "reader", email: "anna@example.test" }, now)).toEqual({
      emailClaim: "anna@example.test",
    });
    expect(
      accountRefreshFor(
        { ...recent, emailClaim: "anna@example.test" },
        { userId: "u", role: "reader", email: "anna@example.test" },
        now,
      ),
    ).toBeNull();
    expect(
      accountRefreshFor(
        { ...recent, emailClaim: "anna@example.test" },
        { userId: "u", role: "reader", email: null },
        now,
      ),
    ).toEqual({ emailClaim: null });
    expect(accountRefreshFor(recent, { userId: "u", role: "reader", email: null }, now)).toBeNull();
  });

  it("writes the role when the token's groups changed it", () => {
    expect(accountRefreshFor(account("2026-06-01T11:30:00.000Z"), { userId: "u", role: "admin" }, now)).toEqual({
      role: "admin",
    });
  });
});

describe("isUnexpired", () => {
  it("treats an entitlement without validUntil as unexpired and a passed validUntil as absent", () => {
    expect(isUnexpired({ tier: "plus" }, now)).toBe(true);
    expect(isUnexpired({ tier: "plus", validUntil: "2026-06-01T12:00:00.001Z" }, now)).toBe(true);
    expect(isUnexpired({ tier: "plus", validUntil: "2026-06-01T12:00:00.000Z" }, now)).toBe(false);
  });
});
