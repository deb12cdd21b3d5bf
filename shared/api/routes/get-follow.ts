import { followStatusSchema } from "../../schemas/follows";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/users/{userId}/follow",
  entry: "functions/http/get-follow.ts",
  auth: "required",
  operationId: "getFollow",
  tag: "Following",
  summary: "Do I follow a user?",
  description: "Whether the caller follows the user.",
  answers: { 200: { description: "Whether the caller follows the user.", schema: followStatusSchema } },
  tableAccess: withCaller("GetItem"),
});
