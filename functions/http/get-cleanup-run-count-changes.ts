import { route } from "../../shared/api/routes/get-cleanup-run-count-changes";
import { httpHandler } from "../../shared/http/handler";
import { page } from "../../shared/http/responses";
import { countChangesOfRun } from "../../shared/use-cases/cleanup/reports";

export const handler = httpHandler(route, async ({ path, query }) => {
  const { items, nextCursor } = await countChangesOfRun(path.runId, query);
  return page(items, nextCursor);
});
