import { listQuerySchema } from "../../schemas/common";
import {
  idempotencyHeadersSchema,
  postInputSchema,
  postPatchSchema,
  postSchema,
  postSummaryPageSchema,
} from "../../schemas/posts";
import { operation } from "../operation";

// Contract: Posts.

export const publishPost = operation({
  tag: "Posts",
  summary: "Publish a post",
  description:
    "Authors and admins publish; readers get 403 `forbidden`. Send an `Idempotency-Key` to retry safely: " +
    "a repeated request with the same key answers the first post again instead of publishing a second one.",
  auth: "required",
  roles: ["author", "admin"],
  body: postInputSchema,
  headers: idempotencyHeadersSchema,
  answers: { 201: { description: "The post, as its author sees it.", schema: postSchema } },
  errors: ["profile_required", "idempotency_key_reused"],
});

export const getPost = operation({
  tag: "Posts",
  summary: "Read a post",
  description:
    "The post with its body when the caller may read it; otherwise `locked` is true and the body is absent " +
    "(free: everyone; plus: `plus` or `ultimate`; select: that author's `select` or `ultimate`; the author " +
    "and admins always).",
  auth: "optional",
  answers: { 200: { description: "The post.", schema: postSchema } },
});

export const patchPost = operation({
  tag: "Posts",
  summary: "Change a post",
  description:
    "The post's author or an admin changes any of its fields; absent fields stay. A derived teaser follows " +
    "the new body and access.",
  auth: "required",
  roles: ["author", "admin"],
  body: postPatchSchema,
  answers: { 200: { description: "The changed post.", schema: postSchema } },
  errors: ["profile_required", "forbidden"],
});

export const deletePost = operation({
  tag: "Posts",
  summary: "Delete a post",
  description: "The post's author or an admin deletes it with all its comments; the author's `postCount` drops by one.",
  auth: "required",
  roles: ["author", "admin"],
  answers: { 204: { description: "The post and its comments are deleted." } },
  errors: ["profile_required", "forbidden"],
});

export const listUserPosts = operation({
  tag: "Posts",
  summary: "List a user's posts",
  description:
    "The user's posts, newest first, as summaries without bodies (`locked` tells whether the caller may read " +
    "one; read it with `GET /posts/{postId}`).",
  auth: "optional",
  query: listQuerySchema,
  answers: { 200: { description: "A page of post summaries.", schema: postSummaryPageSchema } },
});

export const getFeed = operation({
  tag: "Posts",
  summary: "Read my feed",
  description:
    "Posts of the accounts the caller follows, newest first, as summaries without bodies, locked as for " +
    "single posts. Reflects every follow and post whose request has answered.",
  auth: "required",
  query: listQuerySchema,
  answers: { 200: { description: "A page of post summaries.", schema: postSummaryPageSchema } },
});
