import { httpHandler } from "../../shared/http/handler";
import { json } from "../../shared/http/responses";
import { commentInputSchema } from "../../shared/schemas/comments";
import { idempotencyHeadersSchema } from "../../shared/schemas/posts";
import { writeComment } from "../../shared/use-cases/comments";

export const handler = httpHandler(
  { auth: "required", body: commentInputSchema, headers: idempotencyHeadersSchema },
  async ({ caller, path, body, validHeaders }) => {
    const answer = await writeComment(caller, path.postId ?? "", body, validHeaders["Idempotency-Key"]);
    return json(answer.statusCode, answer.body);
  },
);
