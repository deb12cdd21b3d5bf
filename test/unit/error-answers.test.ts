import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cutText, errorBody } from "../../shared/http/errors";
import { errorAnswerLimits } from "../../shared/schemas/errors";

// Contract 1.2: an error answer is at most 8 KiB, `details` at most 20 entries, each `field` at most 200
// characters, and it says so when it stops short.

const codePoints = (text: string) => [...text].length;
const bytes = (text: string) => Buffer.byteLength(text, "utf8");

describe("an error answer's body", () => {
  it("stays within 8 KiB, 20 details and 200-character fields, whatever the details hold", () => {
    // Any code point, control characters (6 bytes each in JSON) and lone surrogates included.
    const anyText = fc.string({ unit: "binary", maxLength: 3000 });
    const controls = fc.string({ unit: fc.constantFrom("\u0000", "\u001f", "\ud800"), maxLength: 3000 });
    const problem = fc.record({ field: fc.oneof(anyText, controls), message: fc.oneof(anyText, controls) });
    fc.assert(
      fc.property(fc.array(problem, { maxLength: 60 }), (details) => {
        const text = errorBody("validation_failed", "The request is not valid.", { details });
        const { error } = JSON.parse(text);
        expect(bytes(text)).toBeLessThanOrEqual(errorAnswerLimits.bytes);
        expect(error.details.length).toBeLessThanOrEqual(errorAnswerLimits.details);
        for (const listed of error.details) {
          expect(codePoints(listed.field)).toBeLessThanOrEqual(errorAnswerLimits.fieldLength);
          expect(codePoints(listed.message)).toBeLessThanOrEqual(errorAnswerLimits.problemMessageLength);
        }
        const complete = error.details.length === details.length;
        expect(error.detailsTruncated).toBe(complete ? undefined : true);
        if (!complete) expect(error.message).toContain(`Only its first ${error.details.length} problems are listed.`);
      }),
      { numRuns: 300, seed: 23 },
    );
  });

  it("lists every detail as it came when they fit", () => {
    const details = [
      { field: "title", message: "must not be empty" },
      { field: "tags.1", message: "must be at most 30 characters" },
    ];
    expect(JSON.parse(errorBody("validation_failed", "The request is not valid.", { details }))).toEqual({
      error: { code: "validation_failed", message: "The request is not valid.", details },
    });
  });

  it("lists the first 20 of 1,030 problems and says it stopped short", () => {
    const details = Array.from({ length: 1030 }, (_, i) => ({ field: `k.${i}`, message: "is wrong" }));
    const { error } = JSON.parse(errorBody("validation_failed", "The request is not valid.", { details }));
    expect(error.details).toEqual(details.slice(0, 20));
    expect(error.detailsTruncated).toBe(true);
    expect(error.message).toBe("The request is not valid. Only its first 20 problems are listed.");
  });
});

describe("cutText", () => {
  it("keeps text up to the limit and cuts longer text to the limit, ending in an ellipsis", () => {
    expect(cutText("a".repeat(200), 200)).toBe("a".repeat(200));
    expect(cutText("a".repeat(201), 200)).toBe(`${"a".repeat(199)}…`);
    // Counted in code points: 200 emoji fit, and a cut never splits one.
    expect(cutText("😀".repeat(200), 200)).toBe("😀".repeat(200));
    expect(cutText("😀".repeat(100_000), 200)).toBe(`${"😀".repeat(199)}…`);
  });
});
