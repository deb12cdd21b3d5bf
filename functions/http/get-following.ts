import { route } from "../../shared/api/routes/get-following";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { page } from "../../shared/http/responses";
import { followingOf } from "../../shared/use-cases/follow-reads";

export const handler = publicHttpHandler(route, async ({ path, query }) => {
  const { items, nextCursor } = await followingOf(path.userId, query);
  return page(items, nextCursor);
});
