import * as cleanupOperations from "../../shared/api/operations/cleanup";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { page } from "../../shared/http/responses";
import { followerHistoryOf } from "../../shared/use-cases/cleanup/reports";

export const handler = publicHttpHandler(cleanupOperations.getFollowerHistory, async ({ path, query }) => {
  const { items, nextCursor } = await followerHistoryOf(path.userId ?? "", query);
  return page(items, nextCursor);
});
