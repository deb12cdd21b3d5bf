import { noBodySchema, listQuerySchema } from "../../schemas/common";
import { followListPageSchema, followStateSchema, followStatusSchema } from "../../schemas/follows";
import { operation } from "../operation";

// Contract: Following.

export const follow = operation({
  tag: "Following",
  summary: "Follow a user",
  description:
    "The caller follows the user. Idempotent: following again changes nothing and answers the same. " +
    "Following yourself answers 400 `cannot_follow_self`. Counts are exact under any concurrency.",
  auth: "required",
  body: noBodySchema,
  answers: { 200: { description: "`following` is true.", schema: followStateSchema } },
  errors: ["cannot_follow_self", "profile_required"],
});

export const unfollow = operation({
  tag: "Following",
  summary: "Unfollow a user",
  description: "The caller stops following the user. Idempotent: unfollowing a user not followed answers the same.",
  auth: "required",
  body: noBodySchema,
  answers: { 200: { description: "`following` is false.", schema: followStateSchema } },
  errors: ["cannot_follow_self", "profile_required"],
});

export const getFollow = operation({
  tag: "Following",
  summary: "Do I follow a user?",
  description: "Whether the caller follows the user.",
  auth: "required",
  answers: { 200: { description: "Whether the caller follows the user.", schema: followStatusSchema } },
});

export const listFollowers = operation({
  tag: "Following",
  summary: "List a user's followers",
  description: "The accounts that follow the user, newest follow first.",
  auth: "optional",
  query: listQuerySchema,
  answers: { 200: { description: "A page of followers.", schema: followListPageSchema } },
});

export const listFollowing = operation({
  tag: "Following",
  summary: "List whom a user follows",
  description: "The accounts the user follows, newest follow first.",
  auth: "optional",
  query: listQuerySchema,
  answers: { 200: { description: "A page of followed accounts.", schema: followListPageSchema } },
});
