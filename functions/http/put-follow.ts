import * as followOperations from "../../shared/api/operations/follows";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { follow } from "../../shared/use-cases/follows";

export const handler = httpHandler(followOperations.follow, async ({ identity, caller, path }) =>
  ok(await follow(identity, caller, path.userId ?? "")),
);
