import { route } from "../../shared/api/routes/get-user";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { getProfile } from "../../shared/use-cases/accounts";

export const handler = httpHandler(route, async ({ path }) => ok(await getProfile(path.userId)));
