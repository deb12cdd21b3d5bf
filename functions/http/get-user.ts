import * as accountOperations from "../../shared/api/operations/accounts";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { ok } from "../../shared/http/responses";
import { getProfile } from "../../shared/use-cases/accounts";

export const handler = publicHttpHandler(accountOperations.getUser, async ({ path }) =>
  ok(await getProfile(path.userId ?? "")),
);
