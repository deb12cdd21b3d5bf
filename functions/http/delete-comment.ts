import { route } from "../../shared/api/routes/delete-comment";
import { httpHandler } from "../../shared/http/handler";
import { noContent } from "../../shared/http/responses";
import { removeComment } from "../../shared/use-cases/comments";

export const handler = httpHandler(route, async ({ caller, path }) => {
  await removeComment(caller, path.postId, path.commentId);
  return noContent();
});
