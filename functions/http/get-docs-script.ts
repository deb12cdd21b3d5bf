import { route } from "../../shared/api/routes/get-docs-script";
import { referenceScriptAnswer } from "../../shared/api/reference-page";
import { publicHttpHandler } from "../../shared/http/public-handler";

export const handler = publicHttpHandler(route, async ({ headers }) =>
  referenceScriptAnswer(headers["accept-encoding"]),
);
