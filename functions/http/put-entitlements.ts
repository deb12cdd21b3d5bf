import * as accountOperations from "../../shared/api/operations/accounts";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { setEntitlements } from "../../shared/use-cases/accounts";

export const handler = httpHandler(accountOperations.putEntitlements, async ({ caller, path, body }) =>
  ok(await setEntitlements(caller, path.userId ?? "", body.entitlements)),
);
