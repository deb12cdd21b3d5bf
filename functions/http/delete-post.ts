import { httpHandler } from "../../shared/http/handler";
import { noContent } from "../../shared/http/responses";
import { removePost } from "../../shared/use-cases/posts";

export const handler = httpHandler({ auth: "required", roles: ["author", "admin"] }, async ({ caller, path }) => {
  await removePost(caller, path.postId ?? "");
  return noContent();
});
