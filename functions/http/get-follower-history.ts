import { route } from "../../shared/api/routes/get-follower-history";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { page } from "../../shared/http/responses";
import { followerHistoryOf } from "../../shared/use-cases/cleanup/reports";

export const handler = publicHttpHandler(route, async ({ path, query }) => {
  const { items, nextCursor } = await followerHistoryOf(path.userId, query);
  return page(items, nextCursor);
});
