import { route } from "../../shared/api/routes/get-post";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { readPost } from "../../shared/use-cases/posts";

export const handler = httpHandler(route, async ({ caller, path }) => ok(await readPost(caller, path.postId)));
