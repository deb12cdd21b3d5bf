import * as followOperations from "../../shared/api/operations/follows";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { page } from "../../shared/http/responses";
import { followersOf } from "../../shared/use-cases/follows";

export const handler = publicHttpHandler(followOperations.listFollowers, async ({ path, query }) => {
  const { items, nextCursor } = await followersOf(path.userId ?? "", query);
  return page(items, nextCursor);
});
