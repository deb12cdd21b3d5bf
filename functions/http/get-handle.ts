import * as accountOperations from "../../shared/api/operations/accounts";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { getProfileByHandle } from "../../shared/use-cases/accounts";

export const handler = httpHandler(accountOperations.getHandle, async ({ path }) =>
  ok(await getProfileByHandle(path.handle ?? "")),
);
