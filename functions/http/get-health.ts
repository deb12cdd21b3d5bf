import * as serviceOperations from "../../shared/api/operations/service";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { ok } from "../../shared/http/responses";

export const handler = publicHttpHandler(serviceOperations.getHealth, async () => ok({ status: "ok" }));
