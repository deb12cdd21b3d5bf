import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { readPost } from "../../shared/use-cases/posts";

export const handler = httpHandler({ auth: "optional" }, async ({ caller, path }) =>
  ok(await readPost(caller, path.postId ?? "")),
);
