import { route } from "../../shared/api/routes/get-user";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { ok } from "../../shared/http/responses";
import { getProfile } from "../../shared/use-cases/accounts";

export const handler = publicHttpHandler(route, async ({ path }) => ok(await getProfile(path.userId)));
