import { healthSchema } from "../../schemas/meta";
import { defineRoute, withCaller } from "../route";

export const route = defineRoute({
  method: "GET",
  path: "/health",
  entry: "functions/http/get-health.ts",
  auth: "optional",
  operationId: "getHealth",
  tag: "Service",
  summary: "Check health",
  description: "Answers 200 while the API serves requests.",
  answers: { 200: { description: "The API answers.", schema: healthSchema } },
  tableAccess: withCaller(),
});
