import * as commentOperations from "../../shared/api/operations/comments";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { listComments } from "../../shared/use-cases/comments";

export const handler = httpHandler(commentOperations.listComments, async ({ caller, path, query }) =>
  ok(await listComments(caller, path.postId ?? "", query)),
);
