import { route } from "../../shared/api/routes/get-follower-history";
import { httpHandler } from "../../shared/http/handler";
import { page } from "../../shared/http/responses";
import { followerHistoryOf } from "../../shared/use-cases/cleanup";

export const handler = httpHandler(route, async ({ path, query }) => {
  const { items, nextCursor } = await followerHistoryOf(path.userId, query);
  return page(items, nextCursor);
});
