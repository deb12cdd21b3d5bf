import { listQuerySchema } from "../../schemas/common";
import { postSummaryPageSchema } from "../../schemas/posts";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/users/{userId}/posts",
  entry: "functions/http/get-user-posts.ts",
  auth: "optional",
  operationId: "listUserPosts",
  tag: "Posts",
  summary: "List a user's posts",
  description:
    "The user's posts, newest first, as summaries without bodies (`locked` tells whether the caller may read " +
    "one; read it with `GET /posts/{postId}`).",
  query: listQuerySchema,
  answers: { 200: { description: "A page of post summaries.", schema: postSummaryPageSchema } },
  tableAccess: withCaller(),
});
