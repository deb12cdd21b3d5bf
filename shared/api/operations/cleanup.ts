import {
  cleanupRunInputSchema,
  countChangePageSchema,
  followerHistoryPageSchema,
  noticePageSchema,
  runPageSchema,
  runSchema,
} from "../../schemas/cleanup";
import { listQuerySchema, noBodySchema } from "../../schemas/common";
import { operation } from "../operation";

// Contract: Cleanup of inactive accounts.

export const startCleanupRun = operation({
  tag: "Cleanup",
  summary: "Start a cleanup run",
  description:
    "Admins only. Starts a run that deletes inactive accounts (last active before `cutoff`; never authors, " +
    "admins, or holders of an unexpired entitlement) and recomputes every count it touched. It runs in the " +
    "background: poll `GET /admin/cleanup-runs/{runId}`. A dry run changes nothing and reports what a real " +
    "run would do. One run at a time: 409 `cleanup_already_running` while one runs.",
  auth: "required",
  roles: ["admin"],
  body: cleanupRunInputSchema,
  answers: { 202: { description: "The run, started.", schema: runSchema } },
  errors: ["profile_required", "cleanup_already_running"],
});

export const restoreCleanupRun = operation({
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
  auth: "required",
  roles: ["admin"],
  body: noBodySchema,
  answers: { 202: { description: "The run being undone.", schema: runSchema } },
  errors: ["profile_required", "cleanup_already_running"],
});

export const listCleanupRuns = operation({
  tag: "Cleanup",
  summary: "List cleanup runs",
  description: "Admins only. The runs, newest first.",
  auth: "required",
  roles: ["admin"],
  query: listQuerySchema,
  answers: { 200: { description: "A page of runs.", schema: runPageSchema } },
});

export const getCleanupRun = operation({
  tag: "Cleanup",
  summary: "Read a cleanup run",
  description: "Admins only. The run's status and what it did (or, for a dry run, would do).",
  auth: "required",
  roles: ["admin"],
  answers: { 200: { description: "The run.", schema: runSchema } },
});

export const listCleanupRunCountChanges = operation({
  tag: "Cleanup",
  summary: "List a cleanup run's count changes",
  description:
    "Admins only. Every count change of the run (in a dry run: that it would make), by `userId`: each surviving " +
    "account whose follower count the run changed, with the stored count before and the recount after. A Run " +
    "carries its first 100 and `countChangesTotal`; this list pages through all of them. 404 for an unknown run.",
  auth: "required",
  roles: ["admin"],
  query: listQuerySchema,
  answers: { 200: { description: "A page of the run's count changes.", schema: countChangePageSchema } },
});

export const getFollowerHistory = operation({
  tag: "Cleanup",
  summary: "Read a user's follower history",
  description:
    "Why a user's follower count changed: one point per cleanup run that changed it, with the counts before " +
    "and after, newest first. Public, so that anyone can see why a count dropped.",
  auth: "optional",
  query: listQuerySchema,
  answers: { 200: { description: "A page of history points.", schema: followerHistoryPageSchema } },
});

export const getUserNotices = operation({
  tag: "Cleanup",
  summary: "Read an account's notices before deletion",
  description:
    "Admins only (support staff). The account's current schedule of notices before deletion, newest first: each " +
    "notice's lead, when it went out, the earliest deletion it allows, and whether it was delivered. Empty once a " +
    "signed-in request or an exemption withdrew the schedule. A notice still waiting for its delivery shows once " +
    "that settled (a run delivers right after recording). A read: no profile is needed.",
  auth: "required",
  roles: ["admin"],
  query: listQuerySchema,
  answers: { 200: { description: "A page of the account's notices.", schema: noticePageSchema } },
});
