import { httpHandler } from "../../shared/http/handler";
import { json } from "../../shared/http/responses";
import { idempotencyHeadersSchema, postInputSchema } from "../../shared/schemas/posts";
import { publishPost } from "../../shared/use-cases/posts";

export const handler = httpHandler(
  { auth: "required", roles: ["author", "admin"], body: postInputSchema, headers: idempotencyHeadersSchema },
  async ({ caller, body, validHeaders }) => {
    const answer = await publishPost(caller, body, validHeaders["Idempotency-Key"]);
    return json(answer.statusCode, answer.body);
  },
);
