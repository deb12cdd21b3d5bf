import * as cleanupOperations from "../../shared/api/operations/cleanup";
import { httpHandler } from "../../shared/http/handler";
import { page } from "../../shared/http/responses";
import { runsPage } from "../../shared/use-cases/cleanup/reports";

export const handler = httpHandler(cleanupOperations.listCleanupRuns, async ({ query }) => {
  const { items, nextCursor } = await runsPage(query);
  return page(items, nextCursor);
});
