import { route } from "../../shared/api/routes/get-user-posts";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { listPostsOfUser } from "../../shared/use-cases/posts";

export const handler = httpHandler(route, async ({ caller, path, query }) =>
  ok(await listPostsOfUser(caller, path.userId, query)),
);
