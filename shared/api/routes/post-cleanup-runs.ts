import { cleanupRunInputSchema, runSchema } from "../../schemas/cleanup";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "POST",
  path: "/admin/cleanup-runs",
  entry: "functions/http/post-cleanup-runs.ts",
  auth: "required",
  roles: ["admin"],
  operationId: "startCleanupRun",
  tag: "Cleanup",
  summary: "Start a cleanup run",
  description:
    "Admins only. Starts a run that deletes inactive accounts (last active before `cutoff`; never authors, " +
    "admins, or holders of an unexpired entitlement) and recomputes every count it touched. It runs in the " +
    "background: poll `GET /admin/cleanup-runs/{runId}`. A dry run changes nothing and reports what a real " +
    "run would do. One run at a time: 409 `cleanup_already_running` while one runs.",
  body: cleanupRunInputSchema,
  answers: { 202: { description: "The run, started.", schema: runSchema } },
  errors: ["profile_required", "cleanup_already_running"],
  tableAccess: withCaller("GetItem", "PutItem"),
  startsCleanup: true,
});
