import { marshall } from "@aws-sdk/util-dynamodb";
import { describe, expect, it } from "vitest";
import { itemSize, numberSize, readUnitsOf, writeUnitsOf } from "../support/item-size";

describe("DynamoDB's item-size rules", () => {
  it("count a string as its name's and its value's UTF-8 bytes, 4 per emoji", () => {
    expect(itemSize(marshall({ title: "abc" }))).toBe(5 + 3);
    expect(itemSize(marshall({ body: "📈".repeat(10) }))).toBe(4 + 40);
    expect(itemSize(marshall({ é: "é" }))).toBe(2 + 2);
  });

  it("count a number as one byte per two significant digits plus one, zeroes at either end trimmed", () => {
    expect(numberSize("7")).toBe(2);
    expect(numberSize("12")).toBe(2);
    expect(numberSize("123")).toBe(3);
    expect(numberSize("1000000")).toBe(2);
    expect(numberSize("-0.00125")).toBe(3);
    expect(itemSize(marshall({ n: 12345 }))).toBe(1 + 4);
  });

  it("count a null or a Boolean as one byte", () => {
    expect(itemSize(marshall({ ok: true, gone: null }))).toBe(2 + 1 + 4 + 1);
  });

  it("count a list or a map as three bytes, plus its elements, plus one byte per element", () => {
    expect(itemSize(marshall({ tags: [] }))).toBe(4 + 3);
    expect(itemSize(marshall({ tags: ["fx", "rates"] }))).toBe(4 + 3 + (2 + 1) + (5 + 1));
    expect(itemSize(marshall({ m: { a: "xy" } }))).toBe(1 + 3 + (1 + 2 + 1));
  });

  it("round reads up to 4 KB units and writes up to 1 KB units, at least one each", () => {
    expect([readUnitsOf(0), readUnitsOf(4096), readUnitsOf(4097)]).toEqual([1, 1, 2]);
    expect([writeUnitsOf(0), writeUnitsOf(1024), writeUnitsOf(1025), writeUnitsOf(50_300)]).toEqual([1, 1, 2, 50]);
  });
});
