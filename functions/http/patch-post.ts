import * as postOperations from "../../shared/api/operations/posts";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { changePost } from "../../shared/use-cases/posts";

export const handler = httpHandler(postOperations.patchPost, async ({ caller, path, body }) =>
  ok(await changePost(caller, path.postId ?? "", body)),
);
