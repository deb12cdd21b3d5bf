import * as z from "zod/mini";
import { errorCodes, type ErrorCode } from "../errors";
import { statusOf } from "../http/status-codes";
import { DOCUMENTED_AS, listQuerySchema, noBodySchema } from "../schemas/common";
import {
  errorSchema,
  gatewayInternalSchema,
  gatewayThrottledSchema,
  gatewayTooLargeSchema,
  gatewayUnauthorizedSchema,
} from "../schemas/errors";
import type { OpenApiDocument } from "./description";
import type { RouteDefinition } from "./route";
import { apiOverview, apiTitle, contractVersion, errorCodeMeanings, tagDescriptions } from "./overview";

// The OpenAPI 3.1 document, generated from the routes' definitions (shared/api/routes/): every schema in it is zod's
// own JSON Schema of the schema the handler parses with or answers with. Nothing is written twice. The hosts build
// it (infra/api-description.ts) and hand it to the functions that answer with it (shared/api/description.ts).

type JsonSchema = Record<string, unknown>;

const componentRef = (id: string) => `#/components/schemas/${id}`;

/** Zod's JSON Schema, adjusted: hand-stated schemas (DOCUMENTED_AS) win, and JavaScript's integer limits go. */
function override(ctx: { jsonSchema: JsonSchema }): void {
  const schema = ctx.jsonSchema;
  const documented = schema[DOCUMENTED_AS] as JsonSchema | undefined;
  if (documented) {
    const { description } = schema;
    for (const key of Object.keys(schema)) delete schema[key];
    Object.assign(schema, description === undefined ? {} : { description }, documented);
  }
  if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
  if (schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
}

// Requests are documented as a client sends them (before defaults and transforms); answers have neither.
const conversion = { target: "draft-2020-12", io: "input", override, uri: componentRef } as const;

const referencedIds = (json: unknown): string[] =>
  [...JSON.stringify(json).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(([, id]) => id!);

/**
 * The schemas with a documented `id` that `paths` refers to, directly or through each other, by name: the same
 * whatever else the process has loaded (the local server loads every handler, a Lambda function one).
 */
function componentSchemas(paths: unknown): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, conversion) as { schemas: Record<string, JsonSchema> };
  const reachable = new Set<string>();
  const visit = (ids: string[]) => {
    for (const id of ids.filter((candidate) => !reachable.has(candidate))) {
      reachable.add(id);
      visit(referencedIds(schemas[id]));
    }
  };
  visit(referencedIds(paths));
  return Object.fromEntries(
    [...reachable].sort().map((id) => {
      const { $schema: _schema, $id: _id, ...schema } = schemas[id]!;
      return [id, schema];
    }),
  );
}

/** A schema that has a component: a `$ref` to it. */
function refTo(schema: z.ZodMiniType): JsonSchema {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error("every body and answer schema of an operation needs a documented id (z.meta({ id }))");
  return { $ref: componentRef(id) };
}

/** A schema without a component (a parameter's), inline; schemas with components inside it stay `$ref`s. */
function inline(schema: z.ZodMiniType): JsonSchema {
  const { $schema: _schema, $defs, ...json } = z.toJSONSchema(schema, conversion) as JsonSchema;
  const text = JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/');
  if ($defs && text.includes("#/$defs/")) throw new Error("nested definitions in a parameter schema");
  return JSON.parse(text) as JsonSchema;
}

const pathParameterDescriptions: Record<string, string> = {
  userId: "The user's ID (the `sub` of their tokens).",
  handle: "A handle, matched regardless of case.",
  postId: "The post's ID, as the API answered it.",
  commentId: "The comment's ID, as the API answered it.",
  runId: "The cleanup run's ID.",
};

function parametersOf(route: RouteDefinition): JsonSchema[] {
  const path = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    description: pathParameterDescriptions[name!] ?? "",
    schema: { type: "string", minLength: 1 },
  }));
  const fromObject = (where: "query" | "header", schema: z.ZodMiniType | undefined) => {
    if (!schema) return [];
    const shape = (schema as z.ZodMiniObject).shape;
    return Object.entries(shape).map(([name, field]) => {
      const { description, ...json } = inline(field as z.ZodMiniType);
      const required = !z.safeParse(field, undefined).success;
      return { name, in: where, required, ...(description ? { description } : {}), schema: json };
    });
  };
  return [...path, ...fromObject("query", route.query), ...fromObject("header", route.headers)];
}

function requestBodyOf(route: RouteDefinition): JsonSchema | undefined {
  if (!route.body || route.body === noBodySchema) return undefined;
  // An absent body reads as `{}`: the body is optional exactly when `{}` is a valid one.
  const required = !route.body.safeParse({}).success;
  return { required, content: { "application/json": { schema: refTo(route.body) } } };
}

/** The codes an operation can answer: those its shape implies, and its own. */
function errorCodesOf(route: RouteDefinition): ErrorCode[] {
  const implied: ErrorCode[] = [
    "validation_failed",
    "malformed_json",
    "payload_too_large",
    "unauthorized",
    "unavailable",
  ];
  if (route.roles) implied.push("forbidden");
  if (route.query === listQuerySchema) implied.push("invalid_cursor");
  if (route.path.includes("{")) implied.push("not_found");
  const codes = new Set([...implied, ...(route.errors ?? [])]);
  return errorCodes.filter((code) => codes.has(code));
}

const errorWith = (codes: readonly string[]): JsonSchema => ({
  allOf: [refTo(errorSchema), { properties: { error: { properties: { code: { enum: codes } } } } }],
});

const retryAfter = (required: boolean, description: string) => ({
  "retry-after": { required, description, schema: { type: "integer", minimum: 1 } },
});
const headersByStatus: Record<number, JsonSchema> = {
  429: retryAfter(false, "Seconds to wait before retrying; sent with `too_many_requests`."),
  503: retryAfter(true, "Seconds to wait before retrying."),
};

/** API Gateway's own answers, beside the API's: `{"message": ...}`. */
function gatewayAnswers(route: RouteDefinition): Partial<Record<number, { schema: z.ZodMiniType; when: string }>> {
  return {
    ...(route.auth === "required"
      ? { 401: { schema: gatewayUnauthorizedSchema, when: "API Gateway's authorizer refused the token" } }
      : {}),
    413: { schema: gatewayTooLargeSchema, when: "API Gateway: the body is over 10 MB" },
    // Stage throttling may answer any route.
    429: { schema: gatewayThrottledSchema, when: "API Gateway throttled the API as a whole; retry with backoff" },
    500: { schema: gatewayInternalSchema, when: "API Gateway: the function failed or timed out" },
  };
}

function errorResponses(route: RouteDefinition): Record<string, JsonSchema> {
  const gateway = gatewayAnswers(route);
  const byStatus = new Map<number, string[]>([
    ...Object.keys(gateway).map((status): [number, string[]] => [Number(status), []]),
    [500, ["internal"]],
  ]);
  for (const code of errorCodesOf(route)) {
    const status = statusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, codes]) => {
        const alternative = gateway[status];
        const schemas = [
          ...(codes.length > 0 ? [errorWith(codes)] : []),
          ...(alternative ? [refTo(alternative.schema)] : []),
        ];
        const description = [
          ...codes.map((code) => `\`${code}\`: ${errorCodeMeanings[code]}.`),
          ...(alternative ? [`\`{"message"}\`: ${alternative.when}.`] : []),
        ].join(" ");
        return [
          String(status),
          {
            description,
            ...(headersByStatus[status] ? { headers: headersByStatus[status] } : {}),
            content: { "application/json": { schema: schemas.length === 1 ? schemas[0] : { oneOf: schemas } } },
          },
        ];
      }),
  );
}

function successResponses(route: RouteDefinition): Record<string, JsonSchema> {
  return Object.fromEntries(
    Object.entries(route.answers).map(([status, answer]) => {
      const body = answer.schema
        ? { content: { "application/json": { schema: refTo(answer.schema) } } }
        : answer.contentType
          ? { content: { [answer.contentType]: { schema: { type: "string" } } } }
          : {};
      return [status, { description: answer.description, ...body }];
    }),
  );
}

function operationObject(route: RouteDefinition): JsonSchema {
  const requestBody = requestBodyOf(route);
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    description: route.roles ? `${route.description}\n\nRoles: ${route.roles.join(", ")}.` : route.description,
    // A public route takes a token too, and then applies the caller's entitlements.
    security: route.auth === "required" ? [{ bearer: [] }] : [{}, { bearer: [] }],
    parameters: parametersOf(route),
    ...(requestBody ? { requestBody } : {}),
    responses: { ...successResponses(route), ...errorResponses(route) },
  };
}

const tagOrder = Object.keys(tagDescriptions);
const methodOrder = ["GET", "PUT", "POST", "PATCH", "DELETE"];
/** The contract's order: by tag, then path, then method; whatever order the routes came in. */
const inDocumentOrder = (a: RouteDefinition, b: RouteDefinition) =>
  tagOrder.indexOf(a.tag) - tagOrder.indexOf(b.tag) ||
  a.path.localeCompare(b.path) ||
  methodOrder.indexOf(a.method) - methodOrder.indexOf(b.method);

/** The document of these routes (infra/routes.ts: every route). */
export function buildOpenApiDocument(routes: readonly RouteDefinition[]): OpenApiDocument {
  const paths: OpenApiDocument["paths"] = {};
  for (const route of [...routes].sort(inDocumentOrder)) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operationObject(route);
  }
  return {
    openapi: "3.1.1",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: apiTitle,
      version: contractVersion,
      description: apiOverview,
    },
    servers: [{ url: "/", description: "The host that served this document." }],
    tags: Object.entries(tagDescriptions).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: componentSchemas(paths),
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "An ID or access token of the Cognito user pool (locally: `npm run token`).",
        },
      },
    },
  };
}
