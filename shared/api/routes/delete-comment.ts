import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "DELETE",
  path: "/posts/{postId}/comments/{commentId}",
  entry: "functions/http/delete-comment.ts",
  auth: "required",
  operationId: "deleteComment",
  tag: "Comments",
  summary: "Delete a comment",
  description:
    "The comment's writer, the post's author or an admin deletes it; the post's `commentCount` drops by one.",
  answers: { 204: { description: "The comment is deleted." } },
  errors: ["profile_required", "forbidden"],
  tableAccess: withCaller("BatchGetItem", "DeleteItem"),
});
