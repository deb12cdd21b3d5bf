import { httpHandler } from "../../shared/http/handler";
import { page } from "../../shared/http/responses";
import { listQuerySchema } from "../../shared/schemas/common";
import { followersOf } from "../../shared/use-cases/follows";

export const handler = httpHandler({ auth: "optional", query: listQuerySchema }, async ({ path, query }) => {
  const { items, nextCursor } = await followersOf(path.userId ?? "", query);
  return page(items, nextCursor);
});
