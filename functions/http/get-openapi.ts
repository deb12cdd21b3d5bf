import { buildOpenApiDocument } from "../../shared/api/openapi";
import * as serviceOperations from "../../shared/api/operations/service";
import { json } from "../../shared/http/responses";
import { publicHttpHandler } from "../../shared/http/public-handler";

// Generated once per cold start (a few milliseconds) from the schemas bundled with it.
const document = buildOpenApiDocument();

export const handler = publicHttpHandler(serviceOperations.getOpenApiDocument, async () =>
  json(200, document, { "cache-control": "public, max-age=300" }),
);
