import { route } from "../../shared/api/routes/get-me-follower-outlook";
import { httpHandler } from "../../shared/http/handler";
import { ok } from "../../shared/http/responses";
import { followerOutlookOf } from "../../shared/use-cases/outlook";

export const handler = httpHandler(route, async ({ caller }) => ok(await followerOutlookOf(caller)));
