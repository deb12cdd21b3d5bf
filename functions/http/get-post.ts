import { route } from "../../shared/api/routes/get-post";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { ok } from "../../shared/http/responses";
import { readPost } from "../../shared/use-cases/posts";

export const handler = publicHttpHandler(route, async ({ caller, path }) => ok(await readPost(caller, path.postId)));
