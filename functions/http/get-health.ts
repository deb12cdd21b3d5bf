import * as serviceOperations from "../../shared/api/operations/service";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";

export const handler = httpHandler(serviceOperations.getHealth, async () => ok({ status: "ok" }));
