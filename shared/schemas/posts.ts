import * as z from "zod/mini";
import type { PostAccess } from "../domain/access";
import { DEFAULT_CATEGORY, type PostSummaryView, type PostView } from "../domain/posts";
import { boundedText, count, pageOf, textOfLength, timestamp, trimmedTextOfLength, userIdText } from "./common";

// Post input (contract: Posts). Title, category and tags are trimmed before their lengths are checked; the body
// and the teaser are kept exactly as sent (their whitespace may be formatting).
const title = trimmedTextOfLength(1, 200);
const body = textOfLength(1, 50_000);
const access = z.enum(["free", "plus", "select"]).check(
  z.meta({
    id: "PostAccess",
    description:
      "Who may read the body: `free` everyone; `plus` holders of `plus` or `ultimate`; `select` holders of the " +
      "author's `select` or `ultimate`. The author and admins always may.",
  }),
) satisfies z.ZodMiniType<PostAccess>;
const category = trimmedTextOfLength(1, 40);
const teaser = textOfLength(0, 500);
const tags = z.array(trimmedTextOfLength(1, 30)).check(z.maxLength(10, { message: "must hold at most 10 tags" }));

const teaserDescription =
  "Shown to everyone. Without one, a free post's teaser is the first 280 characters of its body and a plus or " +
  "select post's teaser is empty, and it follows later changes of the body and access.";

/** POST /posts */
export const postInputSchema = z
  .strictObject({
    title,
    body,
    access,
    category: z._default(category, DEFAULT_CATEGORY),
    teaser: z.optional(teaser.check(z.describe(teaserDescription))),
    tags: z._default(tags, []),
  })
  .check(z.meta({ id: "PostInput", description: "A new post." }));
export type PostInput = z.infer<typeof postInputSchema>;

/** PATCH /posts/{postId}: any of the fields, with the same limits; an absent field stays as it is. */
export const postPatchSchema = z
  .strictObject({
    title: z.optional(title),
    body: z.optional(body),
    access: z.optional(access),
    category: z.optional(category),
    teaser: z.optional(teaser),
    tags: z.optional(tags),
  })
  .check(z.meta({ id: "PostPatch", description: "The fields to change; an absent field stays as it is." }));
export type PostPatch = z.infer<typeof postPatchSchema>;

/** The `Idempotency-Key` header of the routes that accept one. */
export const idempotencyHeadersSchema = z.object({
  "Idempotency-Key": z.optional(
    textOfLength(1, 100).check(
      z.describe(
        "Makes a retry safe: the same caller repeating this request with the same key within 24 hours gets the " +
          "first answer again and creates nothing twice, also when both tries arrive at once. The same key with " +
          "a different body answers 409 `idempotency_key_reused`. Only successful answers are replayed.",
      ),
    ),
  ),
});

// Answers (contract: Posts), checked against the domain's PostView and PostSummaryView.

const postFields = {
  // base64url of the post's ULID, a dot and its author's ID (at most 128 code points of at most 4 UTF-8 bytes).
  postId: boundedText(720, { pattern: "^[A-Za-z0-9_-]+$", description: "Opaque." }),
  authorId: userIdText(),
  title: boundedText(200),
  teaser: boundedText(500),
  access,
  category: boundedText(40),
  tags: z.array(boundedText(30)).check(z.meta({ maxItems: 10 })),
  publishedAt: timestamp,
  updatedAt: timestamp,
  commentCount: count.check(z.describe("Comments on the post; exact.")),
  locked: z.boolean().check(z.describe("True when the caller may not read the body (and its comments).")),
};

export const postSchema = z
  .strictObject({
    ...postFields,
    body: z.optional(boundedText(50_000, { description: "Present exactly when `locked` is false." })),
  })
  .check(
    z.meta({
      id: "Post",
      description: "A post; its body only when the caller may read it.",
      // What zod cannot say of one object: the body comes exactly when the post is not locked.
      if: { properties: { locked: { const: true } } },
      then: { not: { required: ["body"] } },
      else: { required: ["body"] },
    }),
  ) satisfies z.ZodMiniType<PostView>;

export const postSummarySchema = z.strictObject(postFields).check(
  z.meta({
    id: "PostSummary",
    description: "A post in a list: never its body (read it with `GET /posts/{postId}`); `locked` still tells.",
  }),
) satisfies z.ZodMiniType<PostSummaryView>;

export const postSummaryPageSchema = pageOf(postSummarySchema);
