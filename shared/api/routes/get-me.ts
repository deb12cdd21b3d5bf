import { meSchema } from "../../schemas/accounts";
import { callerAccess, defineRoute } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/me",
  entry: "functions/http/get-me.ts",
  auth: "required",
  operationId: "getMe",
  tag: "Accounts",
  summary: "Read my account",
  description:
    "The caller's own account: the public profile plus entitlements (the stored set, expired ones included) " +
    "and the last recorded activity. 404 before `PUT /me`.",
  answers: { 200: { description: "The caller's account.", schema: meSchema } },
  errors: ["not_found"],
  tableAccess: [...callerAccess],
});
