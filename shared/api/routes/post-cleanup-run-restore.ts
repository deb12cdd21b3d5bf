import { runSchema } from "../../schemas/cleanup";
import { noBodySchema } from "../../schemas/common";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "POST",
  path: "/admin/cleanup-runs/{runId}/restore",
  entry: "functions/http/post-cleanup-run-restore.ts",
  auth: "required",
  roles: ["admin"],
  operationId: "restoreCleanupRun",
  tag: "Cleanup",
  summary: "Undo a cleanup run",
  description:
    "Admins only (contract 1.2). Restores every account the run deactivated and that is not purged yet, exactly " +
    "as its owner's sign-in would, except that it is nobody's activity: each account keeps its `lastActiveAt` and " +
    "its notice schedule starts over, so a later run judges it afresh and warns it again before any new " +
    "deactivation. It runs in the background under the runs' lock: poll `GET /admin/cleanup-runs/{runId}`, whose " +
    "`accountsRestored` rises as it proceeds and whose `undo.status` says when it is done. Every account whose " +
    "follower count it raised gets one history point for the whole undo (`accounts_restored`). 409 " +
    "`cleanup_already_running` while any run or undo is under way; asking again after a failed undo resumes it.",
  body: noBodySchema,
  answers: { 202: { description: "The run being undone.", schema: runSchema } },
  errors: ["profile_required", "cleanup_already_running"],
  // The run and its undo (GetItem), the lease and the run's `undo` in one transaction; then the runner.
  tableAccess: withCaller(),
  startsCleanup: true,
});
