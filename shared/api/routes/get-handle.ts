import { profileSchema } from "../../schemas/accounts";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/handles/{handle}",
  entry: "functions/http/get-handle.ts",
  auth: "optional",
  operationId: "getHandle",
  tag: "Accounts",
  summary: "Find a profile by handle",
  description: "The profile that holds the handle, matched regardless of case (`ALICE` finds `alice`).",
  answers: { 200: { description: "The profile.", schema: profileSchema } },
  tableAccess: withCaller("GetItem"),
});
