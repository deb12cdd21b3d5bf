import * as followOperations from "../../shared/api/operations/follows";
import { httpHandler } from "../../shared/http/handler";
import { page } from "../../shared/http/responses";
import { followingOf } from "../../shared/use-cases/follows";

export const handler = httpHandler(followOperations.listFollowing, async ({ path, query }) => {
  const { items, nextCursor } = await followingOf(path.userId ?? "", query);
  return page(items, nextCursor);
});
