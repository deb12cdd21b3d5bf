import { describe, expect, it } from "vitest";
import { keys } from "../../shared/db/keys";
import { countAttempt } from "../../shared/db/rate-limit-store";
import { fixedWindow, secondsUntilEnd } from "../../shared/domain/rate-limit";

describe("fixedWindow", () => {
  it("is the minute a time falls in, from its first to its last millisecond", () => {
    for (const at of ["2026-06-01T12:34:00.000Z", "2026-06-01T12:34:29.123Z", "2026-06-01T12:34:59.999Z"]) {
      const window = fixedWindow(new Date(at), 60);
      expect(window.id).toBe("2026-06-01T12:34:00.000Z");
      expect(window.endsAt.toISOString()).toBe("2026-06-01T12:35:00.000Z");
    }
    expect(fixedWindow(new Date("2026-06-01T12:35:00.000Z"), 60).id).toBe("2026-06-01T12:35:00.000Z");
  });
});

describe("secondsUntilEnd", () => {
  const window = fixedWindow(new Date("2026-06-01T12:34:00.000Z"), 60);
  it.each([
    ["2026-06-01T12:34:00.000Z", 60],
    ["2026-06-01T12:34:05.000Z", 55],
    ["2026-06-01T12:34:05.001Z", 55],
    ["2026-06-01T12:34:58.999Z", 2],
    ["2026-06-01T12:34:59.999Z", 1],
  ])("at %s: %i", (at, seconds) => {
    expect(secondsUntilEnd(window, new Date(at))).toBe(seconds);
  });
});

describe("countAttempt", () => {
  it("counts one more write while the window holds fewer than the limit, and expires with the window", () => {
    const window = fixedWindow(new Date("2026-06-01T12:34:10.000Z"), 60);
    const counter = keys.commentRateCounter("u", window.id);
    const item = countAttempt(counter, { window, limit: 7 });
    expect(item.Update).toMatchObject({
      Key: counter,
      ConditionExpression: "attribute_not_exists(#count) OR #count < :limit",
      ExpressionAttributeValues: {
        ":limit": 7,
        ":one": 1,
        ":expiresAt": Date.parse("2026-06-01T12:35:00.000Z") / 1000,
      },
    });
  });
});
