import { route } from "../../shared/api/routes/get-handle";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { getProfileByHandle } from "../../shared/use-cases/accounts";

export const handler = httpHandler(route, async ({ path }) => ok(await getProfileByHandle(path.handle)));
