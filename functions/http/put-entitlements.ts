import { route } from "../../shared/api/routes/put-entitlements";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { setEntitlements } from "../../shared/use-cases/accounts";

export const handler = httpHandler(route, async ({ caller, path, body }) =>
  ok(await setEntitlements(caller, path.userId, body.entitlements)),
);
