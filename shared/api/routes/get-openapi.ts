import { openApiDocumentSchema } from "../../schemas/meta";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/openapi.json",
  entry: "functions/http/get-openapi.ts",
  auth: "optional",
  operationId: "getOpenApiDocument",
  tag: "Service",
  summary: "Read this description",
  description:
    "This OpenAPI 3.1 document: every route with its inputs and every answer. Generate a typed client from it, " +
    "e.g. `npx openapi-typescript <api>/openapi.json -o api.d.ts`.",
  answers: { 200: { description: "The OpenAPI document.", schema: openApiDocumentSchema } },
  tableAccess: withCaller(),
  readsApiDescription: true,
});
