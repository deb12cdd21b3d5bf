import * as commentOperations from "../../shared/api/operations/comments";
import { httpHandler } from "../../shared/http/handler";
import { noContent } from "../../shared/http/responses";
import { removeComment } from "../../shared/use-cases/comments";

export const handler = httpHandler(commentOperations.deleteComment, async ({ caller, path }) => {
  await removeComment(caller, path.postId ?? "", path.commentId ?? "");
  return noContent();
});
