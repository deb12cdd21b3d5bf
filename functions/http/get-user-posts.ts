import * as postOperations from "../../shared/api/operations/posts";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { ok } from "../../shared/http/responses";
import { listPostsOfUser } from "../../shared/use-cases/posts";

export const handler = publicHttpHandler(postOperations.listUserPosts, async ({ caller, path, query }) =>
  ok(await listPostsOfUser(caller, path.userId ?? "", query)),
);
