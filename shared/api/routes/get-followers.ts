import { listQuerySchema } from "../../schemas/common";
import { followListPageSchema } from "../../schemas/follows";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/users/{userId}/followers",
  entry: "functions/http/get-followers.ts",
  auth: "optional",
  operationId: "listFollowers",
  tag: "Following",
  summary: "List a user's followers",
  description: "The accounts that follow the user, newest follow first.",
  query: listQuerySchema,
  answers: { 200: { description: "A page of followers.", schema: followListPageSchema } },
  tableAccess: withCaller("GetItem", "BatchGetItem"),
});
