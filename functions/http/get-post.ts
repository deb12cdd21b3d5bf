import * as postOperations from "../../shared/api/operations/posts";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { readPost } from "../../shared/use-cases/posts";

export const handler = httpHandler(postOperations.getPost, async ({ caller, path }) =>
  ok(await readPost(caller, path.postId ?? "")),
);
