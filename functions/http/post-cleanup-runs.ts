import { accepted } from "../../shared/http/responses";
import { httpHandler } from "../../shared/http/handler";
import { cleanupRunInputSchema } from "../../shared/schemas/cleanup";
import { requestCleanupRun } from "../../shared/use-cases/cleanup";
import { startRunner } from "../../shared/use-cases/cleanup-runner";

export const handler = httpHandler(
  { auth: "required", roles: ["admin"], body: cleanupRunInputSchema },
  async ({ caller, body }) => accepted(await requestCleanupRun(caller, body, startRunner)),
);
