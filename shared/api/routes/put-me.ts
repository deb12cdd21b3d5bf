import { meSchema, profileInputSchema } from "../../schemas/accounts";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "PUT",
  path: "/me",
  entry: "functions/http/put-me.ts",
  auth: "required",
  operationId: "putMe",
  tag: "Accounts",
  summary: "Create or update my profile",
  description:
    "Creates the caller's profile (201) or updates its handle and display name (200). Every other write " +
    "(follow, comment, publish, admin writes) needs a profile first and answers 403 `profile_required` until " +
    "then. The handle is unique regardless of case: one held by another account answers 409 `handle_taken`.",
  body: profileInputSchema,
  answers: {
    200: { description: "The profile was updated.", schema: meSchema },
    201: { description: "The profile was created.", schema: meSchema },
  },
  errors: ["handle_taken"],
  tableAccess: withCaller("PutItem", "DeleteItem"),
});
