import { route } from "../../shared/api/routes/get-comments";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { listComments } from "../../shared/use-cases/comments";

export const handler = httpHandler(route, async ({ caller, path, query }) =>
  ok(await listComments(caller, path.postId, query)),
);
