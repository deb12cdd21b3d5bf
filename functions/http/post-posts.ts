import * as postOperations from "../../shared/api/operations/posts";
import { httpHandler } from "../../shared/http/handler";
import { json } from "../../shared/http/responses";
import { publishPost } from "../../shared/use-cases/posts";

export const handler = httpHandler(postOperations.publishPost, async ({ caller, body, validHeaders }) => {
  const answer = await publishPost(caller, body, validHeaders["Idempotency-Key"]);
  return json(answer.statusCode, answer.body);
});
