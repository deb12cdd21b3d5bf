import * as z from "zod/mini";
import { DEFAULT_CATEGORY } from "../domain/posts";
import { textOfLength, trimmedTextOfLength } from "./common";

// Post input (contract: Posts). Title, category and tags are trimmed before their lengths are checked; the body
// and the teaser are kept exactly as sent (their whitespace may be formatting).
const title = trimmedTextOfLength(1, 200);
const body = textOfLength(1, 50_000);
const access = z.enum(["free", "plus", "select"]);
const category = trimmedTextOfLength(1, 40);
const teaser = textOfLength(0, 500);
const tags = z.array(trimmedTextOfLength(1, 30)).check(z.maxLength(10, { message: "must hold at most 10 tags" }));

/** POST /posts */
export const postInputSchema = z.strictObject({
  title,
  body,
  access,
  category: z._default(category, DEFAULT_CATEGORY),
  teaser: z.optional(teaser),
  tags: z._default(tags, []),
});
export type PostInput = z.infer<typeof postInputSchema>;

/** PATCH /posts/{postId}: any of the fields, with the same limits; an absent field stays as it is. */
export const postPatchSchema = z.strictObject({
  title: z.optional(title),
  body: z.optional(body),
  access: z.optional(access),
  category: z.optional(category),
  teaser: z.optional(teaser),
  tags: z.optional(tags),
});
export type PostPatch = z.infer<typeof postPatchSchema>;

/** The `Idempotency-Key` header of the routes that accept one. */
export const idempotencyHeadersSchema = z.object({
  "Idempotency-Key": z.optional(textOfLength(1, 100)),
});
