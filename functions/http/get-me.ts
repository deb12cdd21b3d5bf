import { route } from "../../shared/api/routes/get-me";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { getMe } from "../../shared/use-cases/accounts";

export const handler = httpHandler(route, async ({ caller }) => ok(getMe(caller)));
