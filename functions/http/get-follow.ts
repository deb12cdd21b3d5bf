import * as followOperations from "../../shared/api/operations/follows";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { followStatus } from "../../shared/use-cases/follows";

export const handler = httpHandler(followOperations.getFollow, async ({ identity, path }) =>
  ok(await followStatus(identity, path.userId ?? "")),
);
