import { referenceScriptFile } from "../reference-page";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/docs/reference.js",
  entry: "functions/http/get-docs-script.ts",
  auth: "optional",
  operationId: "getReferenceScript",
  tag: "Service",
  summary: "Load the reference page's script",
  description:
    "The script that renders the reference page (Scalar's API reference), sent gzip-compressed to clients " +
    "that accept it. Cached by browsers for a day.",
  answers: { 200: { description: "The script.", contentType: "text/javascript" } },
  tableAccess: withCaller(),
  gzippedFiles: [referenceScriptFile],
});
