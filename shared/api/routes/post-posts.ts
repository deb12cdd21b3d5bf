import { idempotencyHeadersSchema, postInputSchema, postSchema } from "../../schemas/posts";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "POST",
  path: "/posts",
  entry: "functions/http/post-posts.ts",
  auth: "required",
  roles: ["author", "admin"],
  operationId: "publishPost",
  tag: "Posts",
  summary: "Publish a post",
  description:
    "Authors and admins publish; readers get 403 `forbidden`. Send an `Idempotency-Key` to retry safely: " +
    "a repeated request with the same key answers the first post again instead of publishing a second one.",
  body: postInputSchema,
  headers: idempotencyHeadersSchema,
  answers: { 201: { description: "The post, as its author sees it.", schema: postSchema } },
  errors: ["profile_required", "idempotency_key_reused"],
  tableAccess: withCaller("PutItem"),
  answerMetric: { status: 201, metric: "PostsPublished" },
});
