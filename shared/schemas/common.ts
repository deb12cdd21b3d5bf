import * as z from "zod/mini";
import { INVISIBLE_RANGES } from "./invisible-code-points";

/** Lengths count Unicode code points (the contract's rule), not UTF-16 units. */
const codePointLength = (value: string): number => {
  let count = 0;
  for (const _ of value) count++;
  return count;
};

/** Whether a string is well-formed UTF-16: no lone surrogate, which has no UTF-8 form and cannot be stored. */
export const isWellFormedText = (value: string): boolean => !/\p{Cs}/u.test(value);

// JSON Schema's minLength and maxLength count code points too, so the document states these limits exactly.
export const textOfLength = (min: number, max: number) =>
  z.string().check(
    z.refine((value) => codePointLength(value) >= min, {
      message: min === 1 ? "must not be empty" : `must be at least ${min} characters`,
      abort: true,
    }),
    z.refine((value) => codePointLength(value) <= max, { message: `must be at most ${max} characters` }),
    z.meta({ minLength: min, maxLength: max }),
  );

/** Whether a code point shows nothing by itself: in the generated table (binary search over its ranges). */
export function isInvisibleCodePoint(codePoint: number): boolean {
  let low = 0;
  let high = INVISIBLE_RANGES.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const [first, last] = INVISIBLE_RANGES[middle]!;
    if (codePoint < first) high = middle - 1;
    else if (codePoint > last) low = middle + 1;
    else return true;
  }
  return false;
}

/**
 * Whether the text shows anything at all: one code point outside the table of those that show nothing by
 * themselves (Unicode's default-ignorable characters, spaces, controls, combining marks, and blank symbols such
 * as U+2800 and U+1D159; shared/schemas/invisible-code-points.ts). A name of zero-width spaces is as blank as one
 * of spaces.
 */
export function isVisibleText(value: string): boolean {
  for (const character of value) if (!isInvisibleCodePoint(character.codePointAt(0)!)) return true;
  return false;
}

/**
 * Trimmed before its length is checked; the stored value is the trimmed one. Text that shows nothing (only
 * invisible characters) counts as empty. Documented as what a client may send untrimmed and be sure of: `min` to
 * `max` characters with something visible.
 */
export const trimmedTextOfLength = (min: number, max: number) =>
  z
    .pipe(
      z.string().check(z.trim()),
      textOfLength(min, max).check(
        z.refine((value) => min === 0 || value === "" || isVisibleText(value), {
          message: "must contain a visible character",
        }),
      ),
    )
    .check(
      z.meta({
        minLength: min,
        maxLength: max,
        ...(min > 0 ? { pattern: "\\S" } : {}),
        description: `Trimmed, then ${min} to ${max} characters${min > 0 ? ", at least one of them visible" : ""}.`,
      }),
    );

// The bounds of what answers hold (contract 1.2: no answer grows with the platform). Answers are not parsed at run
// time; these state in the document what the inputs' checks and the ID rules guarantee of every stored value, so
// test/integration/answer-bounds.test.ts can compute each route's largest answer, and every answer a test receives
// is checked against them (test/support/documented-answers.ts).

/** The longest token subject, and so user ID, the API accepts (shared/http/middleware/authentication.ts). */
export const MAX_USER_ID_LENGTH = 128;
/** What a list's `limit` allows at most: a page holds no more items. */
const MAX_PAGE_ITEMS = 100;

/** A text of at most `maxLength` code points, in an answer. */
export const boundedText = (maxLength: number, more: { pattern?: string; description?: string } = {}) =>
  z.string().check(z.meta({ maxLength, ...more }));

/** A user ID (a token's subject): 1 to 128 characters, no control character. */
export const userIdText = () => boundedText(MAX_USER_ID_LENGTH, { pattern: "^[^\\u0000-\\u001F\\u007F-\\u009F]+$" });

/** A ULID the API made (a comment's, a run's): 26 characters of Crockford's base32. */
export const ulidText = () => boundedText(26, { pattern: "^[0-9A-HJKMNP-TV-Z]{26}$" });

/**
 * Metadata key of a schema whose JSON Schema the document states by hand, where zod's own conversion says it
 * poorly (a query parameter parsed from text; zod's 400-character date-time pattern). The document generator
 * uses it in place of zod's, keeping the schema's description.
 */
export const DOCUMENTED_AS = "x-documented-as";

export const isoTime = z.iso
  .datetime({ offset: true, message: "must be an ISO-8601 time" })
  .check(z.meta({ [DOCUMENTED_AS]: { type: "string", format: "date-time" } }));

/** A time in an answer: ISO-8601 UTC with milliseconds, e.g. `2025-03-01T09:30:00.000Z`. */
export const timestamp = z.iso.datetime().check(
  z.meta({
    [DOCUMENTED_AS]: {
      type: "string",
      format: "date-time",
      pattern: "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$",
    },
  }),
);

/** A count in an answer: exact, never negative. */
export const count = z.int().check(z.gte(0));

/** Normalises an ISO time to the canonical UTC form with milliseconds. */
export const canonicalTime = (value: string): string => new Date(value).toISOString();

const limitDescription = "How many items a page holds at most.";

/** `?limit=` 1..100 (default 20) and the opaque `?cursor=` of every list route. */
export const listQuerySchema = z.object({
  limit: z
    ._default(
      z.pipe(
        z.string().check(z.regex(/^\d{1,3}$/, { message: "must be an integer from 1 to 100" })),
        z.pipe(
          z.transform(Number),
          z
            .number()
            .check(
              z.gte(1, { message: "must be an integer from 1 to 100" }),
              z.lte(100, { message: "must be an integer from 1 to 100" }),
            ),
        ),
      ),
      20,
    )
    .check(
      z.meta({
        [DOCUMENTED_AS]: { type: "integer", minimum: 1, maximum: 100, default: 20, description: limitDescription },
      }),
    ),
  cursor: z.optional(
    z
      .string()
      .check(
        z.describe("The `nextCursor` of the previous page, as it came; absent for the first page. Opaque and signed."),
      ),
  ),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

/** The body of a request that takes none: absent or `{}`; any field answers 400 `validation_failed`. */
export const noBodySchema = z.strictObject({});

/**
 * Metadata key of a page whose items the code holds to a number of bytes (their JSON, single-escaped), where their
 * schemas alone would allow more: `GET /me/export`'s pages, under 1 MB whatever the posts' bodies.
 */
export const MAX_ITEMS_BYTES = "x-maxItemsBytes";

/** A page of a list (contract: Lists), named in the document after its items: `PostSummary` -> `PostSummaryPage`. */
export function pageOf<T extends z.ZodMiniType>(item: T, options: { maxItemsBytes?: number } = {}) {
  const itemId = z.globalRegistry.get(item)?.id;
  if (!itemId) throw new Error("pageOf needs an item schema with a documented id");
  return z
    .strictObject({
      items: z.array(item).check(
        z.meta({
          maxItems: MAX_PAGE_ITEMS,
          ...(options.maxItemsBytes === undefined ? {} : { [MAX_ITEMS_BYTES]: options.maxItemsBytes }),
        }),
      ),
      nextCursor: z.nullable(
        boundedText(4096, {
          pattern: "^[A-Za-z0-9_.-]+$",
          description: "Pass as `?cursor=` to read the next page; null on the last page.",
        }),
      ),
    })
    .check(z.meta({ id: `${itemId}Page`, description: `A page of ${itemId} items.` }));
}
