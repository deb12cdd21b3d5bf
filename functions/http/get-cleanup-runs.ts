import { route } from "../../shared/api/routes/get-cleanup-runs";
import { httpHandler } from "../../shared/http/handler";
import { page } from "../../shared/http/responses";
import { runsPage } from "../../shared/use-cases/cleanup/reports";

export const handler = httpHandler(route, async ({ query }) => {
  const { items, nextCursor } = await runsPage(query);
  return page(items, nextCursor);
});
