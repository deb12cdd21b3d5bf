import * as postOperations from "../../shared/api/operations/posts";
import { httpHandler } from "../../shared/http/handler";
import { noContent } from "../../shared/http/responses";
import { removePost } from "../../shared/use-cases/posts";

export const handler = httpHandler(postOperations.deletePost, async ({ caller, path }) => {
  await removePost(caller, path.postId ?? "");
  return noContent();
});
