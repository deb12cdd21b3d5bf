import { noBodySchema } from "../../schemas/common";
import { followStateSchema } from "../../schemas/follows";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "DELETE",
  path: "/users/{userId}/follow",
  entry: "functions/http/delete-follow.ts",
  auth: "required",
  operationId: "unfollow",
  tag: "Following",
  summary: "Unfollow a user",
  description: "The caller stops following the user. Idempotent: unfollowing a user not followed answers the same.",
  body: noBodySchema,
  answers: { 200: { description: "`following` is false.", schema: followStateSchema } },
  errors: ["cannot_follow_self", "profile_required"],
  tableAccess: withCaller("GetItem", "DeleteItem"),
});
