import * as cleanupOperations from "../../shared/api/operations/cleanup";
import { accepted } from "../../shared/http/responses";
import { httpHandler } from "../../shared/http/handler";
import { requestCleanupRun } from "../../shared/use-cases/cleanup/lease";
import { startRunner } from "../../shared/use-cases/cleanup-runner";

export const handler = httpHandler(cleanupOperations.startCleanupRun, async ({ caller, body }) =>
  accepted(await requestCleanupRun(caller, body, startRunner)),
);
