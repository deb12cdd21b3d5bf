import * as z from "zod/mini";

/** Lengths count Unicode code points (the contract's rule), not UTF-16 units. */
export const codePointLength = (value: string): number => {
  let count = 0;
  for (const _ of value) count++;
  return count;
};

/** Whether a string is well-formed UTF-16: no lone surrogate, which has no UTF-8 form and cannot be stored. */
export const isWellFormedText = (value: string): boolean => !/\p{Cs}/u.test(value);

export const textOfLength = (min: number, max: number) =>
  z.string().check(
    z.refine((value) => codePointLength(value) >= min, {
      message: min === 1 ? "must not be empty" : `must be at least ${min} characters`,
      abort: true,
    }),
    z.refine((value) => codePointLength(value) <= max, { message: `must be at most ${max} characters` }),
  );

/**
 * Characters that show nothing by themselves: spaces and controls, format characters (zero-width space and
 * joiners, direction marks), default-ignorable ones (Hangul fillers, variation selectors, tags), combining marks
 * with nothing to combine with, and the blank Braille pattern.
 */
const INVISIBLE = /^[\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{M}\u2800]*$/u;

/** Whether the text shows anything at all (a name of zero-width spaces is as blank as one of spaces). */
export const isVisibleText = (value: string): boolean => !INVISIBLE.test(value);

/**
 * Trimmed before its length is checked; the stored value is the trimmed one. Text that shows nothing (only
 * invisible characters) counts as empty.
 */
export const trimmedTextOfLength = (min: number, max: number) =>
  z.pipe(
    z.string().check(z.trim()),
    textOfLength(min, max).check(
      z.refine((value) => min === 0 || value === "" || isVisibleText(value), { message: "must contain a visible character" }),
    ),
  );

export const isoTime = z.iso.datetime({ offset: true, message: "must be an ISO-8601 time" });

/** Normalises an ISO time to the canonical UTC form with milliseconds. */
export const canonicalTime = (value: string): string => new Date(value).toISOString();

/** `?limit=` 1..100 (default 20) and the opaque `?cursor=` of every list route. */
export const listQuerySchema = z.object({
  limit: z._default(
    z.pipe(
      z.string().check(z.regex(/^\d{1,3}$/, { message: "must be an integer from 1 to 100" })),
      z.pipe(z.transform(Number), z.number().check(z.gte(1, { message: "must be an integer from 1 to 100" }), z.lte(100, { message: "must be an integer from 1 to 100" }))),
    ),
    20,
  ),
  cursor: z.optional(z.string()),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

/** The body of a request that takes none: absent or `{}`; any field answers 400 `validation_failed`. */
export const noBodySchema = z.strictObject({});
