import { httpHandler } from "../../shared/http/handler";
import { noContent } from "../../shared/http/responses";
import { removeComment } from "../../shared/use-cases/comments";

export const handler = httpHandler({ auth: "required" }, async ({ caller, path }) => {
  await removeComment(caller, path.postId ?? "", path.commentId ?? "");
  return noContent();
});
