import { listQuerySchema } from "../../schemas/common";
import { exportPageSchema } from "../../schemas/export";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/me/export",
  entry: "functions/http/get-me-export.ts",
  auth: "required",
  operationId: "exportMyData",
  tag: "Accounts",
  summary: "Download my data",
  description:
    "Every record of the caller's own, page after page: the Me object first, then every entitlement, every account " +
    "the caller follows, every post with its body, every comment. Each page stays under 1 MB (fewer records when " +
    "bodies are long); following `nextCursor` yields every record exactly once. 404 before `PUT /me`.",
  query: listQuerySchema,
  answers: { 200: { description: "A page of the caller's records.", schema: exportPageSchema } },
  errors: ["not_found"],
  // The lists (Query) and, by BatchGetItem, the followed accounts' names, the posts' bodies and the comments.
  tableAccess: withCaller("BatchGetItem"),
});
