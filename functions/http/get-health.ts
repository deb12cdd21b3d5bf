import { route } from "../../shared/api/routes/get-health";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { ok } from "../../shared/http/responses";

export const handler = publicHttpHandler(route, async () => ok({ status: "ok" }));
