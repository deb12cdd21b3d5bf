import { buildOpenApiDocument } from "../shared/api/openapi";
import type { OpenApiDocument } from "../shared/api/description";
import { routes } from "./routes";

// The API's description (GET /openapi.json), built from every route's definition by the hosts: the CDK stack writes
// it beside the bundles of the functions that read it, the local host hands it to its in-process handlers.

let built: OpenApiDocument | undefined;

/** The OpenAPI document of every route, built once per process. */
export function apiDescriptionDocument(): OpenApiDocument {
  built ??= buildOpenApiDocument(routes);
  return built;
}
