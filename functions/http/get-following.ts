import { route } from "../../shared/api/routes/get-following";
import { httpHandler } from "../../shared/http/handler";
import { page } from "../../shared/http/responses";
import { followingOf } from "../../shared/use-cases/follows";

export const handler = httpHandler(route, async ({ path, query }) => {
  const { items, nextCursor } = await followingOf(path.userId, query);
  return page(items, nextCursor);
});
