import * as accountOperations from "../../shared/api/operations/accounts";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { exportPage } from "../../shared/use-cases/export";

export const handler = httpHandler(accountOperations.exportMyData, async ({ caller, query }) =>
  ok(await exportPage(caller, query)),
);
