import * as cleanupOperations from "../../shared/api/operations/cleanup";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { readRun } from "../../shared/use-cases/cleanup/reports";

export const handler = httpHandler(cleanupOperations.getCleanupRun, async ({ path }) =>
  ok(await readRun(path.runId ?? "")),
);
