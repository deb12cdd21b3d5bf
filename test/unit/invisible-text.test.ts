import { describe, expect, it } from "vitest";
import { INVISIBLE_RANGES } from "../../shared/schemas/invisible-code-points";
import { isInvisibleCodePoint, isVisibleText } from "../../shared/schemas/common";
import { blankSymbols, invisibleRanges, showsNothing } from "../support/invisible-code-points";

// One rule for text that shows nothing (issue 23): a table in code, checked against Unicode's data (Node's ICU)
// and the hand-added blank symbols for every code point.

describe("the table of code points that show nothing", () => {
  it("holds exactly the rule's code points, for every code point (else regenerate it: see its header)", () => {
    const differing: string[] = [];
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
      if (isInvisibleCodePoint(codePoint) !== showsNothing(codePoint)) differing.push(codePoint.toString(16));
    }
    expect(differing.slice(0, 20), `${differing.length} code points differ`).toEqual([]);
  });

  it("is sorted, merged ranges, as generated", () => {
    expect(INVISIBLE_RANGES).toEqual(invisibleRanges());
    for (let i = 1; i < INVISIBLE_RANGES.length; i++) {
      expect(INVISIBLE_RANGES[i]![0]).toBeGreaterThan(INVISIBLE_RANGES[i - 1]![1] + 1);
    }
  });

  it("holds the hand-added blank symbols, none of which Unicode's properties name", () => {
    const derived = /^[\p{Default_Ignorable_Code_Point}\p{White_Space}\p{Cc}\p{M}]$/u;
    for (const { range } of blankSymbols) {
      for (let codePoint = range[0]; codePoint <= range[1]; codePoint++) {
        expect(isInvisibleCodePoint(codePoint)).toBe(true);
        expect(derived.test(String.fromCodePoint(codePoint))).toBe(false);
      }
    }
  });
});

describe("isVisibleText", () => {
  it.each([
    ["U+1D159 MUSICAL SYMBOL NULL NOTEHEAD (issue 23)", "\u{1d159}"],
    ["zero-width space", "\u200b"],
    ["zero-width non-joiner and joiner", "\u200c\u200d"],
    ["word joiner and invisible operators", "\u2060\u2061\u2062\u2063\u2064"],
    ["byte order mark", "\ufeff"],
    ["soft hyphen", "\u00ad"],
    ["direction marks and embeddings", "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"],
    ["Arabic letter mark", "\u061c"],
    ["Mongolian vowel separator and free variation selectors", "\u180e\u180b\u180c\u180d\u180f"],
    ["Hangul fillers", "\u3164\u115f\u1160\uffa0"],
    ["Khmer inherent vowels", "\u17b4\u17b5"],
    ["combining grapheme joiner", "\u034f"],
    ["variation selectors", "\ufe0f\u{e0100}"],
    ["tags", "\u{e0001}\u{e0020}\u{e007f}"],
    ["musical formatting controls", "\u{1d173}\u{1d17a}"],
    ["shorthand format controls", "\u{1bca0}\u{1bca3}"],
    ["Egyptian hieroglyph format controls", "\u{13430}\u{13437}"],
    ["interlinear annotation", "\ufff9\ufffa\ufffb"],
    ["blank Braille pattern", "\u2800"],
    ["spaces of every width", "\u00a0\u2000\u2003\u200a\u202f\u205f\u3000"],
    ["line and paragraph separators", "\u2028\u2029"],
    ["controls", "\u0000\u0007\u001f\u007f\u0085\u009f"],
    ["a lone combining mark", "\u0301"],
    ["Khitan small script filler", "\u{16fe4}"],
    ["a mix of them", "\u200b\u{1d159}\u2800\u3164 \u0301"],
  ])("finds nothing visible in %s", (_, text) => {
    expect(isVisibleText(text)).toBe(false);
  });

  it.each([
    ["a letter", "a"],
    ["a letter among invisible ones", "\u200ba\u200b"],
    ["a joined emoji", "👩‍💻"],
    ["an Arabic number sign (a visible format character)", "\u0600"],
    ["a notehead that is drawn", "\u{1d158}"],
    ["Braille with a dot", "\u2801"],
    ["an ideographic full stop", "\u3002"],
  ])("finds %s visible", (_, text) => {
    expect(isVisibleText(text)).toBe(true);
  });
});
