import * as cleanupOperations from "../../shared/api/operations/cleanup";
import { httpHandler } from "../../shared/http/handler";
import { page } from "../../shared/http/responses";
import { countChangesOfRun } from "../../shared/use-cases/cleanup/reports";

export const handler = httpHandler(cleanupOperations.listCleanupRunCountChanges, async ({ path, query }) => {
  const { items, nextCursor } = await countChangesOfRun(path.runId ?? "", query);
  return page(items, nextCursor);
});
