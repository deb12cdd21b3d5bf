import * as accountOperations from "../../shared/api/operations/accounts";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { followerOutlookOf } from "../../shared/use-cases/outlook";

export const handler = httpHandler(accountOperations.getFollowerOutlook, async ({ caller }) =>
  ok(await followerOutlookOf(caller)),
);
