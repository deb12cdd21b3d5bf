import * as cleanupOperations from "../../shared/api/operations/cleanup";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { noticesOf } from "../../shared/use-cases/notices";

export const handler = httpHandler(cleanupOperations.getUserNotices, async ({ path, query }) =>
  ok(await noticesOf(path.userId ?? "", query)),
);
