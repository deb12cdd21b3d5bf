import * as z from "zod/mini";

/** Lengths count Unicode code points (the contract's rule), not UTF-16 units. */
export const codePointLength = (value: string): number => {
  let count = 0;
  for (const _ of value) count++;
  return count;
};

export const textOfLength = (min: number, max: number) =>
  z.string().check(
    z.refine((value) => codePointLength(value) >= min, {
      message: min === 1 ? "must not be empty" : `must be at least ${min} characters`,
      abort: true,
    }),
    z.refine((value) => codePointLength(value) <= max, { message: `must be at most ${max} characters` }),
  );

/** Trimmed before its length is checked; the stored value is the trimmed one. */
export const trimmedTextOfLength = (min: number, max: number) =>
  z.pipe(
    z.string().check(z.trim()),
    textOfLength(min, max),
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
