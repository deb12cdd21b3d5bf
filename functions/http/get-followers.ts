import { route } from "../../shared/api/routes/get-followers";
import { httpHandler } from "../../shared/http/handler";
import { page } from "../../shared/http/responses";
import { followersOf } from "../../shared/use-cases/follows";

export const handler = httpHandler(route, async ({ path, query }) => {
  const { items, nextCursor } = await followersOf(path.userId, query);
  return page(items, nextCursor);
});
