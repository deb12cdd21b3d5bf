import { postSchema } from "../../schemas/posts";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/posts/{postId}",
  entry: "functions/http/get-post.ts",
  auth: "optional",
  operationId: "getPost",
  tag: "Posts",
  summary: "Read a post",
  description:
    "The post with its body when the caller may read it; otherwise `locked` is true and the body is absent " +
    "(free: everyone; plus: `plus` or `ultimate`; select: that author's `select` or `ultimate`; the author " +
    "and admins always).",
  answers: { 200: { description: "The post.", schema: postSchema } },
  tableAccess: withCaller("BatchGetItem"),
});
