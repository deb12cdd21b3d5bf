import { httpHandler } from "../../shared/http/handler";
import { noContent } from "../../shared/http/responses";
import { noBodySchema } from "../../shared/schemas/common";
import { deleteMyAccount } from "../../shared/use-cases/account-deletion";

export const handler = httpHandler({ auth: "required", body: noBodySchema }, async ({ identity, caller }) => {
  await deleteMyAccount(identity.userId, caller.account !== null);
  return noContent();
});
