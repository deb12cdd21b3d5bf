import { noBodySchema } from "../../schemas/common";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "DELETE",
  path: "/me",
  entry: "functions/http/delete-me.ts",
  auth: "required",
  operationId: "deleteMe",
  tag: "Accounts",
  summary: "Delete my account",
  description:
    "Deletes the caller's account exactly as the cleanup of inactive accounts deletes one: profile, " +
    "entitlements and follow relations in both directions go, the handle is freed, comments stay with " +
    "`authorId` null, and an author's posts go with their comments. Counts it touched are recomputed. " +
    "404 when there is no profile.",
  body: noBodySchema,
  answers: { 204: { description: "The account is deleted." } },
  errors: ["not_found"],
  tableAccess: withCaller("GetItem", "PutItem", "DeleteItem", "BatchWriteItem"),
  answerMetric: { status: 204, metric: "AccountsDeleted" },
});
