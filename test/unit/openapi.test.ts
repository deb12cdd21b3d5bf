import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { routes } from "../../infra/routes";
import { buildOpenApiDocument } from "../../shared/api/openapi";

// The OpenAPI document itself: valid OpenAPI 3.1, one operation per route definition and no other.

type Json = Record<string, any>;
const document: Json = buildOpenApiDocument(routes);
const routeKeys = routes.map((route) => `${route.method} ${route.path}`).sort();
const documentedKeys = Object.entries(document.paths)
  .flatMap(([path, methods]) => Object.keys(methods as Json).map((method) => `${method.toUpperCase()} ${path}`))
  .sort();
const operationAt = (method: string, path: string) => document.paths[path]![method.toLowerCase()] as Json;
const codesOf = (response: Json): string[] =>
  JSON.stringify(response.content["application/json"].schema)
    .match(/"enum":\[([^\]]*)\]/g)
    ?.flatMap((list) => JSON.parse(list.slice(7))) ?? [];

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect([result.valid, validator.version]).toEqual([true, "3.1"]);
  });

  it("describes every route, and no other", () => {
    expect(documentedKeys).toEqual(routeKeys);
  });

  it("is the same whatever order the routes come in", () => {
    expect(JSON.stringify(buildOpenApiDocument([...routes].reverse()))).toBe(JSON.stringify(document));
  });

  it("holds the schemas the operations refer to, and only those, by name", () => {
    const names = Object.keys(document.components.schemas);
    expect(names).toEqual([...names].sort());
    const referenced = new Set(
      [...JSON.stringify(document).matchAll(/"#\/components\/schemas\/(\w+)"/g)].map(([, name]) => name),
    );
    expect(names.filter((name) => !referenced.has(name))).toEqual([]);
  });

  it("names every operation uniquely, so that generated clients can call each by name", () => {
    const ids = documentedKeys.map((key) => operationAt(key.split(" ")[0]!, key.split(" ")[1]!).operationId);
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(routes.filter((route) => route.auth === "required"))(
    "$method $path requires the bearer token and documents API Gateway's own 401",
    (route) => {
      const operation = operationAt(route.method, route.path);
      expect(operation.security).toEqual([{ bearer: [] }]);
      expect(JSON.stringify(operation.responses[401])).toContain("#/components/schemas/GatewayUnauthorized");
    },
  );

  it.each(routes.filter((route) => route.auth === "optional"))(
    "$method $path takes the bearer token optionally",
    (route) => {
      const operation = operationAt(route.method, route.path);
      expect(operation.security).toEqual([{}, { bearer: [] }]);
      expect(codesOf(operation.responses[401])).toEqual(["unauthorized"]);
    },
  );

  it.each(routes)("$method $path documents the errors every request can meet, with retry-after on 503", (route) => {
    const { responses } = operationAt(route.method, route.path);
    expect(codesOf(responses[400])).toEqual(expect.arrayContaining(["validation_failed", "malformed_json"]));
    expect(codesOf(responses[413])).toEqual(["payload_too_large"]);
    expect(codesOf(responses[500])).toEqual(["internal"]);
    expect(codesOf(responses[503])).toEqual(["unavailable"]);
    expect(responses[503].headers["retry-after"].required).toBe(true);
    expect(responses[429].headers["retry-after"].required).toBe(false);
  });

  it("documents the codes particular to an operation, e.g. those of commenting", () => {
    const { responses } = operationAt("POST", "/posts/{postId}/comments");
    expect(codesOf(responses[403]).sort()).toEqual(["profile_required", "subscription_required"]);
    expect(codesOf(responses[404])).toEqual(["not_found"]);
    expect(codesOf(responses[409])).toEqual(["idempotency_key_reused"]);
    expect(codesOf(responses[429])).toEqual(["too_many_requests"]);
    expect(operationAt("POST", "/posts/{postId}/comments").parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "Idempotency-Key", in: "header", required: false })]),
    );
  });

  it("documents lists with their limit and cursor, and post lists as summaries without a body", () => {
    const list = operationAt("GET", "/users/{userId}/posts");
    expect(list.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: "limit",
          in: "query",
          schema: expect.objectContaining({ type: "integer", minimum: 1, maximum: 100, default: 20 }),
        }),
        expect.objectContaining({ name: "cursor", in: "query", required: false }),
      ]),
    );
    expect(codesOf(list.responses[400])).toContain("invalid_cursor");
    const summary = document.components.schemas.PostSummary as Json;
    expect([summary.additionalProperties, "body" in summary.properties]).toEqual([false, false]);
    expect(document.components.schemas.PostSummaryPage.properties.items.items).toEqual({
      $ref: "#/components/schemas/PostSummary",
    });
  });

  it("carries contract 1.2's count changes: a Run's first 100 and their total, and the route that pages them", () => {
    const run = document.components.schemas.Run as Json;
    expect(run.properties.countChanges).toMatchObject({
      type: "array",
      items: { $ref: "#/components/schemas/CountChange" },
      maxItems: 100,
    });
    expect(run.properties.countChangesTotal).toMatchObject({ type: "integer", minimum: 0 });
    expect(run.required).toEqual(expect.arrayContaining(["countChanges", "countChangesTotal"]));
    const list = operationAt("GET", "/admin/cleanup-runs/{runId}/count-changes");
    expect(list.security).toEqual([{ bearer: [] }]);
    expect(list.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "runId", in: "path", required: true }),
        expect.objectContaining({ name: "limit", in: "query", schema: expect.objectContaining({ maximum: 100 }) }),
        expect.objectContaining({ name: "cursor", in: "query", required: false }),
      ]),
    );
    expect(list.responses[200].content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/CountChangePage",
    });
    expect(document.components.schemas.CountChangePage.properties.items).toMatchObject({
      items: { $ref: "#/components/schemas/CountChange" },
      maxItems: 100,
    });
    expect(codesOf(list.responses[400])).toContain("invalid_cursor");
    expect(codesOf(list.responses[404])).toEqual(["not_found"]);
  });

  it("carries contract 1.2's error answer limits: at most 20 details, fields of 200 characters, detailsTruncated", () => {
    const validationFailed = (document.components.schemas.Error.properties.error.oneOf as Json[]).find(
      (option) => option.properties.code.const === "validation_failed",
    )!;
    expect(validationFailed.properties.details).toMatchObject({ type: "array", maxItems: 20 });
    expect(validationFailed.properties.detailsTruncated).toMatchObject({ type: "boolean", const: true });
    expect(document.components.schemas.FieldProblem.properties.field).toMatchObject({ maxLength: 200 });
  });

  it("states input limits in code points, as the API counts them", () => {
    const input = document.components.schemas.PostInput as Json;
    expect(input.properties.body).toMatchObject({ type: "string", minLength: 1, maxLength: 50_000 });
    expect(input.properties.title).toMatchObject({ minLength: 1, maxLength: 200, pattern: "\\S" });
    expect(input.required).toEqual(["title", "body", "access"]);
  });
});
