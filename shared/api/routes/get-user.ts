import { profileSchema } from "../../schemas/accounts";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/users/{userId}",
  entry: "functions/http/get-user.ts",
  auth: "optional",
  operationId: "getUser",
  tag: "Accounts",
  summary: "Read a profile",
  description: "Anyone's public profile, with its exact follower, following and post counts.",
  answers: { 200: { description: "The profile.", schema: profileSchema } },
  tableAccess: withCaller(),
});
