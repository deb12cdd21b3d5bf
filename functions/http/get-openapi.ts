import { apiDescriptionText } from "../../shared/api/description";
import { route } from "../../shared/api/routes/get-openapi";
import { publicHttpHandler } from "../../shared/http/public-handler";
import { content } from "../../shared/http/responses";

// The document the host built from every route's definition (beside the bundle in AWS), read once per cold start.
export const handler = publicHttpHandler(route, async () =>
  content(apiDescriptionText(), {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "public, max-age=300",
  }),
);
