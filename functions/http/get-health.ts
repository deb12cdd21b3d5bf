import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";

export const handler = httpHandler({ auth: "optional" }, async () => ok({ status: "ok" }));
