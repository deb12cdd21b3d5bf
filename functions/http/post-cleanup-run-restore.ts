import * as cleanupOperations from "../../shared/api/operations/cleanup";
import { accepted } from "../../shared/http/responses";
import { httpHandler } from "../../shared/http/handler";
import { requestUndo } from "../../shared/use-cases/cleanup/lease";
import { startRunner } from "../../shared/use-cases/cleanup-runner";

export const handler = httpHandler(cleanupOperations.restoreCleanupRun, async ({ caller, path }) =>
  accepted(await requestUndo(caller, path.runId ?? "", startRunner)),
);
