import * as followOperations from "../../shared/api/operations/follows";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { unfollow } from "../../shared/use-cases/follows";

export const handler = httpHandler(followOperations.unfollow, async ({ identity, caller, path }) =>
  ok(await unfollow(identity, caller, path.userId ?? "")),
);
