import { route } from "../../shared/api/routes/post-posts";
import { httpHandler } from "../../shared/http/handler";
import { json } from "../../shared/http/responses";
import { publishPost } from "../../shared/use-cases/posts";

export const handler = httpHandler(route, async ({ caller, body, validHeaders }) => {
  const answer = await publishPost(caller, body, validHeaders["Idempotency-Key"]);
  return json(answer.statusCode, answer.body);
});
