import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/docs",
  entry: "functions/http/get-docs.ts",
  auth: "optional",
  operationId: "getReferencePage",
  tag: "Service",
  summary: "Read the reference page",
  description: "A reference page rendered from this document in the browser. It loads nothing from another host.",
  answers: { 200: { description: "The HTML page.", contentType: "text/html" } },
  tableAccess: withCaller(),
});
