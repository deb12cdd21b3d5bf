import { healthSchema, openApiDocumentSchema } from "../../schemas/meta";
import { operation } from "../operation";

// The routes that tell about the API itself.

export const getHealth = operation({
  tag: "Service",
  summary: "Check health",
  description: "Answers 200 while the API serves requests.",
  auth: "optional",
  answers: { 200: { description: "The API answers.", schema: healthSchema } },
});

export const getOpenApiDocument = operation({
  tag: "Service",
  summary: "Read this description",
  description:
    "This OpenAPI 3.1 document: every route with its inputs and every answer. Generate a typed client from it, " +
    "e.g. `npx openapi-typescript <api>/openapi.json -o api.d.ts`.",
  auth: "optional",
  answers: { 200: { description: "The OpenAPI document.", schema: openApiDocumentSchema } },
});

export const getReferencePage = operation({
  tag: "Service",
  summary: "Read the reference page",
  description: "A reference page rendered from this document in the browser. It loads nothing from another host.",
  auth: "optional",
  answers: { 200: { description: "The HTML page.", contentType: "text/html" } },
});

export const getReferenceScript = operation({
  tag: "Service",
  summary: "Load the reference page's script",
  description:
    "The script that renders the reference page (Scalar's API reference), sent gzip-compressed to clients " +
    "that accept it. Cached by browsers for a day.",
  auth: "optional",
  answers: { 200: { description: "The script.", contentType: "text/javascript" } },
});
