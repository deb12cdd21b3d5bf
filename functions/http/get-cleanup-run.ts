import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { readRun } from "../../shared/use-cases/cleanup";

export const handler = httpHandler({ auth: "required", roles: ["admin"] }, async ({ path }) => ok(await readRun(path.runId ?? "")));
