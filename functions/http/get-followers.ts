import { route } from "../../shared/api/routes/get-followers";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { page } from "../../shared/http/responses";
import { followersOf } from "../../shared/use-cases/follow-reads";

export const handler = publicHttpHandler(route, async ({ path, query }) => {
  const { items, nextCursor } = await followersOf(path.userId, query);
  return page(items, nextCursor);
});
