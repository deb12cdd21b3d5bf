import { route } from "../../shared/api/routes/get-docs-script";
import { referenceScriptAnswer } from "../../shared/api/reference-page";
import { httpHandler } from "../../shared/http/handler";

export const handler = httpHandler(route, async ({ headers }) => referenceScriptAnswer(headers["accept-encoding"]));
