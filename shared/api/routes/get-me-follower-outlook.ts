import { followerOutlookSchema } from "../../schemas/follows";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/me/follower-outlook",
  entry: "functions/http/get-me-follower-outlook.ts",
  auth: "required",
  operationId: "getFollowerOutlook",
  tag: "Accounts",
  summary: "See my followers' outlook",
  description:
    'About the caller\'s own followers (contract 1.2, "Authors see it coming"): the follower count, how many of ' +
    "the followers are inside a notice schedule before deactivation now (notified, not withdrawn, not yet " +
    "deactivated), and the earliest time one of them may be deactivated (null when none). Aggregates only, never " +
    "who; exact at all times, like the counts, and read in the same two requests whatever the number of followers. " +
    "404 before `PUT /me`.",
  answers: { 200: { description: "The caller's follower outlook.", schema: followerOutlookSchema } },
  errors: ["not_found"],
  // The caller's account (its shards' `underNotice`) and the first entry of its outlook: two Queries.
  tableAccess: withCaller(),
});
