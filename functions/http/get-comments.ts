import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { listQuerySchema } from "../../shared/schemas/common";
import { listComments } from "../../shared/use-cases/comments";

export const handler = httpHandler({ auth: "optional", query: listQuerySchema }, async ({ caller, path, query }) =>
  ok(await listComments(caller, path.postId ?? "", query)),
);
