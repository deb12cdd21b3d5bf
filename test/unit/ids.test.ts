import { describe, expect, it } from "vitest";
import { MAX_ULID, maxUlidAt, ulid, ulidTime } from "../../shared/ids";

describe("ulid", () => {
  it("encodes the time and sorts by creation order within one millisecond", () => {
    const time = Date.parse("2026-01-02T03:04:05.678Z");
    const ids = Array.from({ length: 1000 }, () => ulid(time));
    expect(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ulidTime(ids[0]!)).toBe(time);
  });

  it("sorts IDs of later times after earlier ones", () => {
    expect(ulid(1_000) < ulid(2_000)).toBe(true);
  });

  it("bounds every ULID of a millisecond from above with maxUlidAt, and every ULID with MAX_ULID", () => {
    const time = Date.parse("2026-01-02T03:04:05.678Z");
    const bound = maxUlidAt(time);
    expect(ulidTime(bound)).toBe(time);
    for (let i = 0; i < 100; i++) expect(ulid(time) <= bound).toBe(true);
    expect(ulid(time + 1) > bound).toBe(true);
    expect(ulid() < MAX_ULID).toBe(true);
    expect(ulidTime(MAX_ULID)).toBe(2 ** 48 - 1);
  });
});
