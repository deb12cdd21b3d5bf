import { route } from "../../shared/api/routes/delete-post";
import { httpHandler } from "../../shared/http/handler";
import { noContent } from "../../shared/http/responses";
import { removePost } from "../../shared/use-cases/posts";

export const handler = httpHandler(route, async ({ caller, path }) => {
  await removePost(caller, path.postId);
  return noContent();
});
