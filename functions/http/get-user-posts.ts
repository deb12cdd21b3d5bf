import { route } from "../../shared/api/routes/get-user-posts";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { ok } from "../../shared/http/responses";
import { listPostsOfUser } from "../../shared/use-cases/posts";

export const handler = publicHttpHandler(route, async ({ caller, path, query }) =>
  ok(await listPostsOfUser(caller, path.userId, query)),
);
