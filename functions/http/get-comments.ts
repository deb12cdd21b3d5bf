import { route } from "../../shared/api/routes/get-comments";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { ok } from "../../shared/http/responses";
import { listComments } from "../../shared/use-cases/comments";

export const handler = publicHttpHandler(route, async ({ caller, path, query }) =>
  ok(await listComments(caller, path.postId, query)),
);
