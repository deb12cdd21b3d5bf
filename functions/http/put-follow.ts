import { route } from "../../shared/api/routes/put-follow";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { follow } from "../../shared/use-cases/follows";

export const handler = httpHandler(route, async ({ identity, caller, path }) =>
  ok(await follow(identity, caller, path.userId)),
);
