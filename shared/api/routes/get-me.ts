import { meSchema } from "../../schemas/accounts";
import { defineRoute, withCaller } from "../route";

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
    "and the last recorded activity. 404 before `PUT /me`. A deactivated account's first signed-in request " +
    "within its grace restores it (contract 1.2): `restoring` is true while its relations are still coming back.",
  answers: { 200: { description: "The caller's account.", schema: meSchema } },
  errors: ["not_found"],
  tableAccess: withCaller(),
});
