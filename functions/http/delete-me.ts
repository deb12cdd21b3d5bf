import * as accountOperations from "../../shared/api/operations/accounts";
import { httpHandler } from "../../shared/http/handler";
import { noContent } from "../../shared/http/responses";
import { deleteMyAccount } from "../../shared/use-cases/account-deletion";

export const handler = httpHandler(accountOperations.deleteMe, async ({ identity, caller }) => {
  await deleteMyAccount(identity.userId, caller.account !== null);
  return noContent();
});
