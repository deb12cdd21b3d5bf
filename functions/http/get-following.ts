import * as followOperations from "../../shared/api/operations/follows";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { page } from "../../shared/http/responses";
import { followingOf } from "../../shared/use-cases/follows";

export const handler = publicHttpHandler(followOperations.listFollowing, async ({ path, query }) => {
  const { items, nextCursor } = await followingOf(path.userId ?? "", query);
  return page(items, nextCursor);
});
