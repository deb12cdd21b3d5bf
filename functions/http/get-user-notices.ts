import { route } from "../../shared/api/routes/get-user-notices";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { noticesOf } from "../../shared/use-cases/notices";

export const handler = httpHandler(route, async ({ path, query }) => ok(await noticesOf(path.userId, query)));
