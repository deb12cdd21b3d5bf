import { listQuerySchema } from "../../schemas/common";
import { postSummaryPageSchema } from "../../schemas/posts";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/feed",
  entry: "functions/http/get-feed.ts",
  auth: "required",
  operationId: "getFeed",
  tag: "Posts",
  summary: "Read my feed",
  description:
    "Posts of the accounts the caller follows, newest first, as summaries without bodies, locked as for " +
    "single posts. Reflects every follow and post whose request has answered.",
  query: listQuerySchema,
  answers: { 200: { description: "A page of post summaries.", schema: postSummaryPageSchema } },
  tableAccess: withCaller("BatchGetItem"),
});
