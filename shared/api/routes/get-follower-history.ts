import { followerHistoryPageSchema } from "../../schemas/cleanup";
import { listQuerySchema } from "../../schemas/common";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/users/{userId}/follower-history",
  entry: "functions/http/get-follower-history.ts",
  auth: "optional",
  operationId: "getFollowerHistory",
  tag: "Cleanup",
  summary: "Read a user's follower history",
  description:
    "Why a user's follower count changed: one point per cleanup run that changed it, with the counts before " +
    "and after, newest first. Public, so that anyone can see why a count dropped.",
  query: listQuerySchema,
  answers: { 200: { description: "A page of history points.", schema: followerHistoryPageSchema } },
  tableAccess: withCaller("GetItem"),
});
