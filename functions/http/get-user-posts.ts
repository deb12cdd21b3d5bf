import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { listQuerySchema } from "../../shared/schemas/common";
import { listPostsOfUser } from "../../shared/use-cases/posts";

export const handler = httpHandler({ auth: "optional", query: listQuerySchema }, async ({ caller, path, query }) =>
  ok(await listPostsOfUser(caller, path.userId ?? "", query)),
);
