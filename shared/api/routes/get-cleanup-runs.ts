import { runPageSchema } from "../../schemas/cleanup";
import { listQuerySchema } from "../../schemas/common";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/admin/cleanup-runs",
  entry: "functions/http/get-cleanup-runs.ts",
  auth: "required",
  roles: ["admin"],
  operationId: "listCleanupRuns",
  tag: "Cleanup",
  summary: "List cleanup runs",
  description: "Admins only. The runs, newest first.",
  query: listQuerySchema,
  answers: { 200: { description: "A page of runs.", schema: runPageSchema } },
  tableAccess: withCaller(),
});
