import { route } from "../../shared/api/routes/patch-post";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { changePost } from "../../shared/use-cases/posts";

export const handler = httpHandler(route, async ({ caller, path, body }) =>
  ok(await changePost(caller, path.postId, body)),
);
