import { route } from "../../shared/api/routes/post-comments";
import { httpHandler } from "../../shared/http/handler";
import { json } from "../../shared/http/responses";
import { writeComment } from "../../shared/use-cases/comments";

export const handler = httpHandler(route, async ({ caller, path, body, validHeaders }) => {
  const answer = await writeComment(caller, path.postId, body, validHeaders["Idempotency-Key"]);
  return json(answer.statusCode, answer.body);
});
