import * as accountOperations from "../../shared/api/operations/accounts";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { ok } from "../../shared/http/responses";
import { getProfileByHandle } from "../../shared/use-cases/accounts";

export const handler = publicHttpHandler(accountOperations.getHandle, async ({ path }) =>
  ok(await getProfileByHandle(path.handle ?? "")),
);
