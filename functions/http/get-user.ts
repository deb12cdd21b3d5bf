import * as accountOperations from "../../shared/api/operations/accounts";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { getProfile } from "../../shared/use-cases/accounts";

export const handler = httpHandler(accountOperations.getUser, async ({ path }) =>
  ok(await getProfile(path.userId ?? "")),
);
