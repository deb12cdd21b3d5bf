import { countChangePageSchema } from "../../schemas/cleanup";
import { listQuerySchema } from "../../schemas/common";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/admin/cleanup-runs/{runId}/count-changes",
  entry: "functions/http/get-cleanup-run-count-changes.ts",
  auth: "required",
  roles: ["admin"],
  operationId: "listCleanupRunCountChanges",
  tag: "Cleanup",
  summary: "List a cleanup run's count changes",
  description:
    "Admins only. Every count change of the run (in a dry run: that it would make), by `userId`: each surviving " +
    "account whose follower count the run changed, with the stored count before and the recount after. A Run " +
    "carries its first 100 and `countChangesTotal`; this list pages through all of them. 404 for an unknown run.",
  query: listQuerySchema,
  answers: { 200: { description: "A page of the run's count changes.", schema: countChangePageSchema } },
  // The run's record (is it known?) and a Query of its count changes.
  tableAccess: withCaller("GetItem"),
});
