import { route } from "../../shared/api/routes/delete-follow";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { unfollow } from "../../shared/use-cases/follows";

export const handler = httpHandler(route, async ({ identity, caller, path }) =>
  ok(await unfollow(identity, caller, path.userId)),
);
