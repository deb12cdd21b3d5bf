import { route } from "../../shared/api/routes/post-cleanup-run-restore";
import { accepted } from "../../shared/http/responses";
import { httpHandler } from "../../shared/http/handler";
import { requestUndo } from "../../shared/use-cases/cleanup/lease";
import { startRunner } from "../../shared/use-cases/cleanup-runner";

export const handler = httpHandler(route, async ({ caller, path }) =>
  accepted(await requestUndo(caller, path.runId, startRunner)),
);
