import { route } from "../../shared/api/routes/delete-me";
import { httpHandler } from "../../shared/http/handler";
import { noContent } from "../../shared/http/responses";
import { deleteMyAccount } from "../../shared/use-cases/account-deletion";

export const handler = httpHandler(route, async ({ identity, caller }) => {
  await deleteMyAccount(identity.userId, caller.account !== null);
  return noContent();
});
