import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "DELETE",
  path: "/posts/{postId}",
  entry: "functions/http/delete-post.ts",
  auth: "required",
  roles: ["author", "admin"],
  operationId: "deletePost",
  tag: "Posts",
  summary: "Delete a post",
  description: "The post's author or an admin deletes it with all its comments; the author's `postCount` drops by one.",
  answers: { 204: { description: "The post and its comments are deleted." } },
  errors: ["profile_required", "forbidden"],
  tableAccess: withCaller("GetItem", "DeleteItem", "BatchWriteItem"),
});
