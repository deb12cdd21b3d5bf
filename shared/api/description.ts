import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// The API's description: the OpenAPI document of every route, which GET /openapi.json answers and by which `$default`
// tells a known path's methods (405). The host builds it from every route's definition (infra/api-description.ts),
// not the function: a function that read it from the definitions would bundle every route's schemas and the
// generator. In AWS the stack writes it beside the bundle of each function that reads it (a route's
// `readsApiDescription`); the local host, which runs the handlers in its own process, hands it over instead.

export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, Record<string, unknown>>>;
};

/** The file's name beside a function's bundle. */
export const API_DESCRIPTION_FILE = "openapi.json";

let handedOver: (() => OpenApiDocument) | undefined;
let loaded: { document: OpenApiDocument; text: string } | undefined;

/** For the local host: the document its handlers read, built when first read. */
export function useApiDescription(build: () => OpenApiDocument): void {
  handedOver = build;
  loaded = undefined;
}

function load(): { document: OpenApiDocument; text: string } {
  if (!loaded) {
    const beside = fileURLToPath(new URL(`./${API_DESCRIPTION_FILE}`, import.meta.url));
    let text: string;
    if (existsSync(beside)) text = readFileSync(beside, "utf8");
    else if (handedOver) text = JSON.stringify(handedOver());
    else throw new Error(`The API's description is missing: no ${API_DESCRIPTION_FILE} beside the function`);
    loaded = { document: JSON.parse(text) as OpenApiDocument, text };
  }
  return loaded;
}

/** The document, parsed. */
const apiDescription = (): OpenApiDocument => load().document;

/** The document as JSON text, as it was written. */
export const apiDescriptionText = (): string => load().text;

/** The routes the document describes: each path template with its methods. */
export function describedRoutes(): { method: string; path: string }[] {
  return Object.entries(apiDescription().paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path })),
  );
}
