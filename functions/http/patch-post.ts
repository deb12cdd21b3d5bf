import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { postPatchSchema } from "../../shared/schemas/posts";
import { changePost } from "../../shared/use-cases/posts";

export const handler = httpHandler(
  { auth: "required", roles: ["author", "admin"], body: postPatchSchema },
  async ({ caller, path, body }) => ok(await changePost(caller, path.postId ?? "", body)),
);
