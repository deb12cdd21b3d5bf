import * as postOperations from "../../shared/api/operations/posts";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { ok } from "../../shared/http/responses";
import { readPost } from "../../shared/use-cases/posts";

export const handler = publicHttpHandler(postOperations.getPost, async ({ caller, path }) =>
  ok(await readPost(caller, path.postId ?? "")),
);
