import { route } from "../../shared/api/routes/get-feed";
import { httpHandler } from "../../shared/http/handler";
import { page } from "../../shared/http/responses";
import { readFeed } from "../../shared/use-cases/feed";

export const handler = httpHandler(route, async ({ identity, caller, query }) => {
  const { items, nextCursor } = await readFeed(identity, caller, query);
  return page(items, nextCursor);
});
