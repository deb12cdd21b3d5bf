import { httpHandler } from "../../shared/http/handler";
import { page } from "../../shared/http/responses";
import { listQuerySchema } from "../../shared/schemas/common";
import { followerHistoryOf } from "../../shared/use-cases/cleanup";

export const handler = httpHandler({ auth: "optional", query: listQuerySchema }, async ({ path, query }) => {
  const { items, nextCursor } = await followerHistoryOf(path.userId ?? "", query);
  return page(items, nextCursor);
});
