import { noticePageSchema } from "../../schemas/cleanup";
import { listQuerySchema } from "../../schemas/common";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/admin/users/{userId}/notices",
  entry: "functions/http/get-user-notices.ts",
  auth: "required",
  roles: ["admin"],
  operationId: "getUserNotices",
  tag: "Cleanup",
  summary: "Read an account's notices before deletion",
  description:
    "Admins only (support staff). The account's current schedule of notices before deletion, newest first: each " +
    "notice's lead, when it went out, the earliest deletion it allows, and whether it was delivered. Empty once a " +
    "signed-in request or an exemption withdrew the schedule. A notice still waiting for its delivery shows once " +
    "that settled (a run delivers right after recording). A read: no profile is needed.",
  query: listQuerySchema,
  answers: { 200: { description: "A page of the account's notices.", schema: noticePageSchema } },
  // The account's profile with its schedule: the same Query as the caller's own load.
  tableAccess: withCaller(),
});
