import * as cleanupOperations from "../../shared/api/operations/cleanup";
import { httpHandler } from "../../shared/http/handler";
import { page } from "../../shared/http/responses";
import { followerHistoryOf } from "../../shared/use-cases/cleanup";

export const handler = httpHandler(cleanupOperations.getFollowerHistory, async ({ path, query }) => {
  const { items, nextCursor } = await followerHistoryOf(path.userId ?? "", query);
  return page(items, nextCursor);
});
