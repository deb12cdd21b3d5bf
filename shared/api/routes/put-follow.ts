import { noBodySchema } from "../../schemas/common";
import { followStateSchema } from "../../schemas/follows";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "PUT",
  path: "/users/{userId}/follow",
  entry: "functions/http/put-follow.ts",
  auth: "required",
  operationId: "follow",
  tag: "Following",
  summary: "Follow a user",
  description:
    "The caller follows the user. Idempotent: following again changes nothing and answers the same. " +
    "Following yourself answers 400 `cannot_follow_self`. Counts are exact under any concurrency.",
  body: noBodySchema,
  answers: { 200: { description: "`following` is true.", schema: followStateSchema } },
  errors: ["cannot_follow_self", "profile_required"],
  tableAccess: withCaller("GetItem", "PutItem"),
});
