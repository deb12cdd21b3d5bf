import { describe, expect, it } from "vitest";
import { applyUpdate, UnsupportedUpdate } from "../support/update-expression";

// The capacity meter's model of an UpdateExpression (test/support/update-expression.ts), on items in DynamoDB's
// own form. The integration test test/integration/capacity-meter-sizing.test.ts holds it to DynamoDB Local.
const key = { pk: { S: "P" }, sk: { S: "S" } };

describe("an UpdateExpression applied to an item", () => {
  it("sets, adds and subtracts decimals exactly, and reads every operand from the item as it was", () => {
    const before = { ...key, a: { N: "10.5" }, b: { N: "3" } };
    expect(
      applyUpdate(before, key, "SET a = a + :x, b = a - :y, c = if_not_exists(c, :z)", undefined, {
        ":x": { N: "0.25" },
        ":y": { N: "0.5" },
        ":z": { N: "0" },
      }),
    ).toEqual({ ...key, a: { N: "10.75" }, b: { N: "10" }, c: { N: "0" } });
  });

  it("appends to a list that may not exist yet, and sets inside a list's map by index", () => {
    const names = { "#s": "schedule" };
    const first = applyUpdate(key, key, "SET #s = list_append(if_not_exists(#s, :none), :entry)", names, {
      ":none": { L: [] },
      ":entry": { L: [{ M: { lead: { S: "P30D" } } }] },
    });
    expect(first.schedule).toEqual({ L: [{ M: { lead: { S: "P30D" } } }] });
    expect(applyUpdate(first, key, "SET #s[0].sentAt = :at", names, { ":at": { S: "2026-01-01" } }).schedule).toEqual({
      L: [{ M: { lead: { S: "P30D" }, sentAt: { S: "2026-01-01" } } }],
    });
  });

  it("removes list elements by their index before the update, and attributes", () => {
    const before = { ...key, list: { L: [{ N: "0" }, { N: "1" }, { N: "2" }, { N: "3" }] }, gone: { S: "x" } };
    expect(applyUpdate(before, key, "REMOVE list[1], list[3], gone")).toEqual({
      ...key,
      list: { L: [{ N: "0" }, { N: "2" }] },
    });
  });

  it("adds to numbers (absent: from zero) and sets, deletes from sets, and drops a set left empty", () => {
    const before = { ...key, n: { N: "-1" }, tags: { SS: ["a", "b"] }, ids: { NS: ["1"] } };
    expect(
      applyUpdate(before, key, "ADD n :one, fresh :one, tags :more DELETE ids :ids", undefined, {
        ":one": { N: "1" },
        ":more": { SS: ["b", "c"] },
        ":ids": { NS: ["1"] },
      }),
    ).toEqual({ ...key, n: { N: "0" }, fresh: { N: "1" }, tags: { SS: ["a", "b", "c"] } });
  });

  it("refuses what it does not model rather than guess", () => {
    expect(() => applyUpdate(key, key, "SET a = size(b)")).toThrow(UnsupportedUpdate);
    expect(() => applyUpdate(key, key, "SET a = :x", undefined, { ":x": { S: "x" } })).not.toThrow();
    expect(() =>
      applyUpdate({ ...key, a: { N: "1" } }, key, "SET a = a + :x", undefined, { ":x": { N: "1e3" } }),
    ).toThrow(UnsupportedUpdate);
  });
});
