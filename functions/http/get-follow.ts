import { route } from "../../shared/api/routes/get-follow";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { followStatus } from "../../shared/use-cases/follow-reads";

export const handler = httpHandler(route, async ({ identity, path }) => ok(await followStatus(identity, path.userId)));
