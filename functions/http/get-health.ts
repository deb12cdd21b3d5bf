import { route } from "../../shared/api/routes/get-health";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";

export const handler = httpHandler(route, async () => ok({ status: "ok" }));
