import { commentInputSchema, commentPageSchema, commentSchema } from "../../schemas/comments";
import { listQuerySchema } from "../../schemas/common";
import { idempotencyHeadersSchema } from "../../schemas/posts";
import { operation } from "../operation";

// Contract: Comments.

export const writeComment = operation({
  tag: "Comments",
  summary: "Comment on a post",
  description:
    "Commenting is for subscribers: on a free post any unexpired entitlement; on a plus post `plus` or " +
    "`ultimate`; on a select post that author's `select` or `ultimate`. The post's author and admins always " +
    "may. Anyone else gets 403 `subscription_required` with `requiredEntitlements`. At most " +
    "`COMMENT_RATE_PER_MINUTE` (default 30) comments per caller per minute; beyond, 429 with `retry-after`. " +
    "An `Idempotency-Key` makes retries safe.",
  auth: "required",
  body: commentInputSchema,
  headers: idempotencyHeadersSchema,
  answers: { 201: { description: "The comment.", schema: commentSchema } },
  errors: ["profile_required", "subscription_required", "too_many_requests", "idempotency_key_reused"],
});

export const listComments = operation({
  tag: "Comments",
  summary: "List a post's comments",
  description:
    "The post's comments, oldest first. Reading them follows the body rule: comments of a post the caller " +
    "may not read answer 403 `subscription_required`.",
  auth: "optional",
  query: listQuerySchema,
  answers: { 200: { description: "A page of comments.", schema: commentPageSchema } },
  errors: ["subscription_required"],
});

export const deleteComment = operation({
  tag: "Comments",
  summary: "Delete a comment",
  description:
    "The comment's writer, the post's author or an admin deletes it; the post's `commentCount` drops by one.",
  auth: "required",
  answers: { 204: { description: "The comment is deleted." } },
  errors: ["profile_required", "forbidden"],
});
