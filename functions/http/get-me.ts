import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { getMe } from "../../shared/use-cases/accounts";

export const handler = httpHandler({ auth: "required" }, async ({ caller }) => ok(getMe(caller)));
