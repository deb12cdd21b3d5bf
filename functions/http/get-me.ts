import * as accountOperations from "../../shared/api/operations/accounts";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { getMe } from "../../shared/use-cases/accounts";

export const handler = httpHandler(accountOperations.getMe, async ({ caller }) => ok(getMe(caller)));
