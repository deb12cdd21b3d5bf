import { route } from "../../shared/api/routes/get-cleanup-run";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { readRun } from "../../shared/use-cases/cleanup/reports";

export const handler = httpHandler(route, async ({ path }) => ok(await readRun(path.runId)));
