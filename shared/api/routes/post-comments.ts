import { commentInputSchema, commentSchema } from "../../schemas/comments";
import { idempotencyHeadersSchema } from "../../schemas/posts";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "POST",
  path: "/posts/{postId}/comments",
  entry: "functions/http/post-comments.ts",
  auth: "required",
  operationId: "writeComment",
  tag: "Comments",
  summary: "Comment on a post",
  description:
    "Commenting is for subscribers: on a free post any unexpired entitlement; on a plus post `plus` or " +
    "`ultimate`; on a select post that author's `select` or `ultimate`. The post's author and admins always " +
    "may. Anyone else gets 403 `subscription_required` with `requiredEntitlements`. At most " +
    "`COMMENT_RATE_PER_MINUTE` (default 30) comments per caller per minute; beyond, 429 with `retry-after`. " +
    "An `Idempotency-Key` makes retries safe.",
  body: commentInputSchema,
  headers: idempotencyHeadersSchema,
  answers: { 201: { description: "The comment.", schema: commentSchema } },
  errors: ["profile_required", "subscription_required", "too_many_requests", "idempotency_key_reused"],
  tableAccess: withCaller("GetItem", "PutItem", "ConditionCheckItem"),
  answerMetric: { status: 201, metric: "CommentsWritten" },
});
