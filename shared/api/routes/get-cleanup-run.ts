import { runSchema } from "../../schemas/cleanup";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/admin/cleanup-runs/{runId}",
  entry: "functions/http/get-cleanup-run.ts",
  auth: "required",
  roles: ["admin"],
  operationId: "getCleanupRun",
  tag: "Cleanup",
  summary: "Read a cleanup run",
  description: "Admins only. The run's status and what it did (or, for a dry run, would do).",
  answers: { 200: { description: "The run.", schema: runSchema } },
  tableAccess: withCaller("GetItem"),
});
