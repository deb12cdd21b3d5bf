import { httpHandler } from "../../shared/http/handler";
import { page } from "../../shared/http/responses";
import { listQuerySchema } from "../../shared/schemas/common";
import { readFeed } from "../../shared/use-cases/feed";

export const handler = httpHandler({ auth: "required", query: listQuerySchema }, async ({ identity, caller, query }) => {
  const { items, nextCursor } = await readFeed(identity, caller, query);
  return page(items, nextCursor);
});
