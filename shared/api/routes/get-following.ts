import { listQuerySchema } from "../../schemas/common";
import { followListPageSchema } from "../../schemas/follows";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/users/{userId}/following",
  entry: "functions/http/get-following.ts",
  auth: "optional",
  operationId: "listFollowing",
  tag: "Following",
  summary: "List whom a user follows",
  description: "The accounts the user follows, newest follow first.",
  query: listQuerySchema,
  answers: { 200: { description: "A page of followed accounts.", schema: followListPageSchema } },
  tableAccess: withCaller("GetItem", "BatchGetItem"),
});
