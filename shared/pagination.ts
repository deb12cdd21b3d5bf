import { createHmac, timingSafeEqual } from "node:crypto";
import * as z from "zod/mini";
import { config } from "./config";
import { invalidCursor } from "./errors";

// A cursor is `base64url(JSON [scope, position]).base64url(HMAC)`. The scope names the list (for example
// `followers:<userId>`), so a cursor of one list is refused by another; the HMAC makes any edit detectable.
// The position holds domain values (times, IDs), never storage keys.

function sign(payload: string): Buffer {
  return createHmac("sha256", config.CURSOR_SECRET).update(payload).digest().subarray(0, 16);
}

/** The longest cursor: a longer one is refused, so none is ever made (a page's answer stays bounded too). */
const MAX_CURSOR_LENGTH = 4096;

export function encodeCursor(scope: string, position: unknown): string {
  const payload = Buffer.from(JSON.stringify([scope, position])).toString("base64url");
  const cursor = `${payload}.${sign(payload).toString("base64url")}`;
  if (cursor.length > MAX_CURSOR_LENGTH) throw new Error(`a cursor of ${cursor.length} characters for ${scope}`);
  return cursor;
}

/**
 * Whether a text is the one base64url spelling of its bytes. Node's decoder is lenient (it skips characters
 * outside the alphabet, accepts padding, and ignores the unused low bits of the last character), so several
 * texts decode to the same bytes; only the one encodeCursor writes is a cursor.
 */
const isCanonicalBase64url = (text: string): boolean => Buffer.from(text, "base64url").toString("base64url") === text;

/**
 * The position a cursor holds, or 400 `invalid_cursor` when it is malformed, tampered with, of another list, or
 * spelled otherwise than it was written (a cursor has one spelling).
 */
export function decodeCursor<S extends z.ZodMiniType>(scope: string, cursor: string, positionSchema: S): z.infer<S> {
  if (cursor.length > MAX_CURSOR_LENGTH) throw invalidCursor();
  const [payload, signature, ...rest] = cursor.split(".");
  if (!payload || !signature || rest.length > 0) throw invalidCursor();
  if (!isCanonicalBase64url(payload) || !isCanonicalBase64url(signature)) throw invalidCursor();
  const expected = sign(payload);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidCursor();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || decoded[0] !== scope) throw invalidCursor();
  const position = positionSchema.safeParse(decoded[1]);
  if (!position.success) throw invalidCursor();
  return position.data;
}

/** The position of the lists that go on after one ULID (a post, a comment, a run): `{ after: <ulid> }`. */
const afterUlidSchema = z.strictObject({ after: z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/)) });

/** Where a ULID-ordered list goes on: the ULID a cursor names, undefined without a cursor (400 when it is bad). */
export function ulidAfter(scope: string, cursor: string | undefined): string | undefined {
  return cursor === undefined ? undefined : decodeCursor(scope, cursor, afterUlidSchema).after;
}

/** The cursor of a ULID-ordered list that goes on after `after`; null when the list ended. */
export function cursorAfterUlid(scope: string, after: string | null): string | null {
  return after === null ? null : encodeCursor(scope, { after });
}
