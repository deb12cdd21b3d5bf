import { httpHandler } from "../../shared/http/handler";
import { page } from "../../shared/http/responses";
import { listQuerySchema } from "../../shared/schemas/common";
import { followingOf } from "../../shared/use-cases/follows";

export const handler = httpHandler({ auth: "optional", query: listQuerySchema }, async ({ path, query }) => {
  const { items, nextCursor } = await followingOf(path.userId ?? "", query);
  return page(items, nextCursor);
});
