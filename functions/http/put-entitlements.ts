import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { entitlementsInputSchema } from "../../shared/schemas/accounts";
import { setEntitlements } from "../../shared/use-cases/accounts";

export const handler = httpHandler(
  { auth: "required", roles: ["admin"], body: entitlementsInputSchema },
  async ({ caller, path, body }) => ok(await setEntitlements(caller, path.userId ?? "", body.entitlements)),
);
