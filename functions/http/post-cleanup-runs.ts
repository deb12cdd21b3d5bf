import { route } from "../../shared/api/routes/post-cleanup-runs";
import { accepted } from "../../shared/http/responses";
import { httpHandler } from "../../shared/http/handler";
import { requestCleanupRun } from "../../shared/use-cases/cleanup/lease";
import { startRunner } from "../../shared/use-cases/cleanup-runner";

export const handler = httpHandler(route, async ({ caller, body }) =>
  accepted(await requestCleanupRun(caller, body, startRunner)),
);
