import { commentPageSchema } from "../../schemas/comments";
import { listQuerySchema } from "../../schemas/common";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/posts/{postId}/comments",
  entry: "functions/http/get-comments.ts",
  auth: "optional",
  operationId: "listComments",
  tag: "Comments",
  summary: "List a post's comments",
  description:
    "The post's comments, oldest first. Reading them follows the body rule: comments of a post the caller " +
    "may not read answer 403 `subscription_required`.",
  query: listQuerySchema,
  answers: { 200: { description: "A page of comments.", schema: commentPageSchema } },
  errors: ["subscription_required"],
  tableAccess: withCaller("GetItem"),
});
