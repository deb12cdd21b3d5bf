import { postPatchSchema, postSchema } from "../../schemas/posts";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "PATCH",
  path: "/posts/{postId}",
  entry: "functions/http/patch-post.ts",
  auth: "required",
  roles: ["author", "admin"],
  operationId: "patchPost",
  tag: "Posts",
  summary: "Change a post",
  description:
    "The post's author or an admin changes any of its fields; absent fields stay. A derived teaser follows " +
    "the new body and access.",
  body: postPatchSchema,
  answers: { 200: { description: "The changed post.", schema: postSchema } },
  errors: ["profile_required", "forbidden"],
  // A change of access moves the body to its new key: a transaction that puts one item and deletes another.
  tableAccess: withCaller("BatchGetItem", "PutItem", "DeleteItem"),
});
