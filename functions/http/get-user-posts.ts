import * as postOperations from "../../shared/api/operations/posts";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { listPostsOfUser } from "../../shared/use-cases/posts";

export const handler = httpHandler(postOperations.listUserPosts, async ({ caller, path, query }) =>
  ok(await listPostsOfUser(caller, path.userId ?? "", query)),
);
