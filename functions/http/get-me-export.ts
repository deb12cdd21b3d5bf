import { route } from "../../shared/api/routes/get-me-export";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { exportPage } from "../../shared/use-cases/export";

export const handler = httpHandler(route, async ({ caller, query }) => ok(await exportPage(caller, query)));
