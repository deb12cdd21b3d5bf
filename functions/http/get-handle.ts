import { route } from "../../shared/api/routes/get-handle";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { ok } from "../../shared/http/responses";
import { getProfileByHandle } from "../../shared/use-cases/accounts";

export const handler = publicHttpHandler(route, async ({ path }) => ok(await getProfileByHandle(path.handle)));
