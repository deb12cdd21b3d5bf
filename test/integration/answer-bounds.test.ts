import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { securityHeaders } from "../../shared/http/middleware/response-headers";
import { MAX_ITEMS_BYTES } from "../../shared/schemas/common";
import { dispatch } from "../../infra/local/server";
import { jwtSecret } from "../support/api/in-process";
import { toIncomingRequest } from "../support/route-samples";
import { openApiDocument } from "../support/documented-answers";

// Every answer bounded by construction (issue 23): for each route of the OpenAPI document, the largest answer its
// schemas allow (every string at its maximum length in the character that costs most, every array at its maximum
// number of items, every optional field present), as Lambda measures it: the serialized invocation result, in
// which the body is a JSON string escaped a second time. It must stay under Lambda's 6 MB response limit, or the
// route must page. A schema without a bound fails here, naming where.

/** What this test reads of the document's JSON Schemas. */
interface JsonSchema {
  $ref?: string;
  const?: unknown;
  enum?: unknown[];
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  type?: string | string[];
  format?: string;
  pattern?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  maxItems?: number;
  [MAX_ITEMS_BYTES]?: number;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: unknown;
}
const isObject = (value: unknown) => typeof value === "object" && value !== null;
interface Operation {
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}
/** The document, as this test reads it: its components' schemas and operations (the generator's type says less). */
const document = z
  .object({
    components: z.object({ schemas: z.record(z.string(), z.custom<JsonSchema>(isObject)) }),
    paths: z.record(z.string(), z.record(z.string(), z.custom<Operation>(isObject))),
  })
  .parse(openApiDocument);

/** Lambda's limit on a synchronous invocation's response (6 MB; the runtime allows 100 bytes more). */
const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;

/** Routes whose answer is the same fixed text every time (not described by bounded schemas): measured once. */
const STATIC_ANSWERS = ["GET /openapi.json", "GET /docs", "GET /docs/reference.js"];

/** What a text costs in the invocation result: its JSON escape, escaped again as part of the body string. */
const resultBytes = (json: string): number => Buffer.byteLength(JSON.stringify(json), "utf8") - 2;

/** What one character of a string value costs there (`\u0001` → `\\u0001`: 7 bytes; `"` → `\\\"`: 4). */
const characterBytes = (character: string): number => resultBytes(JSON.stringify(character)) - resultBytes('""');

const everyCharacter = (() => {
  const all: string[] = [];
  for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
    if (codePoint < 0xd800 || codePoint > 0xdfff) all.push(String.fromCodePoint(codePoint));
  }
  return all;
})();
const WORST_CHARACTER_BYTES = Math.max(...["\u0000", '"', "\\", "😀"].map(characterBytes));

const worstByClass = new Map<string, number>();
/**
 * The costliest character a string pattern allows, when the pattern is one character class (with an optional
 * literal prefix): `^P[0-9WDTHMS]+$`, `^[A-Za-z0-9_]{3,30}$`. Otherwise every character is assumed possible.
 */
function worstCharacterBytes(pattern: string | undefined): number {
  const parts = pattern && /^\^([A-Za-z]*)(\[[^\]]+\])(\{\d+(,\d+)?\}|\+|\*)\$$/.exec(pattern);
  if (!parts) return WORST_CHARACTER_BYTES;
  const [, prefix = "", characterClass = ""] = parts;
  let worst = worstByClass.get(characterClass);
  if (worst === undefined) {
    const allowed = new RegExp(`^${characterClass}$`, "u");
    worst = 0;
    for (const character of everyCharacter)
      if (allowed.test(character)) worst = Math.max(worst, characterBytes(character));
    worstByClass.set(characterClass, worst);
  }
  return Math.max(worst, ...[...prefix].map(characterBytes));
}

/** The canonical answer time (`2025-03-01T09:30:00.000Z`): 24 characters of one byte. */
const TIMESTAMP_PATTERN = "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$";

class Unbounded extends Error {}

function resolve(schema: JsonSchema): JsonSchema {
  if (typeof schema.$ref !== "string") return schema;
  const target = document.components.schemas[schema.$ref.replace("#/components/schemas/", "")];
  if (!target) throw new Error(`no component ${schema.$ref}`);
  return resolve(target);
}

/** The most bytes a value of `schema` takes in the invocation result; throws Unbounded naming where. */
function worstBytes(schema: JsonSchema, where: string): number {
  const resolved = resolve(schema);
  const name = typeof schema.$ref === "string" ? schema.$ref.replace("#/components/schemas/", "") : where;
  if (resolved.const !== undefined) return resultBytes(JSON.stringify(resolved.const));
  if (resolved.enum) return Math.max(...resolved.enum.map((value) => resultBytes(JSON.stringify(value))));
  // All of them hold: the tightest bounded one bounds it (the others narrow it, e.g. an error's codes).
  if (resolved.allOf) {
    const bounded = resolved.allOf.flatMap((member, i) => {
      try {
        return [worstBytes(member, `${name}&${i}`)];
      } catch (error) {
        if (error instanceof Unbounded) return [];
        throw error;
      }
    });
    if (bounded.length === 0) throw new Unbounded(`${name}: no member of allOf is bounded`);
    return Math.min(...bounded);
  }
  const options = resolved.oneOf ?? resolved.anyOf;
  if (options) return Math.max(...options.map((option, i) => worstBytes(option, `${name}|${i}`)));
  if (resolved.type === undefined) throw new Unbounded(`${name}: a schema without a type`);
  const types = Array.isArray(resolved.type) ? resolved.type : [resolved.type];
  return Math.max(...types.map((type) => worstOfType(type, resolved, name)));
}

function worstOfType(type: string, schema: JsonSchema, where: string): number {
  switch (type) {
    case "null":
      return 4;
    case "boolean":
      return 5;
    case "integer":
    case "number": {
      const extremes = [schema.maximum ?? Number.MAX_SAFE_INTEGER, schema.minimum ?? -Number.MAX_SAFE_INTEGER];
      return Math.max(...extremes.map((value) => String(value).length));
    }
    case "string": {
      const quotes = resultBytes('""');
      if (schema.format === "date-time" && schema.pattern === TIMESTAMP_PATTERN) return quotes + 24;
      if (schema.maxLength === undefined) throw new Unbounded(`${where}: a string without maxLength`);
      return quotes + schema.maxLength * worstCharacterBytes(schema.pattern);
    }
    case "array": {
      if (schema.maxItems === undefined || !schema.items) throw new Unbounded(`${where}: an array without maxItems`);
      const items = schema.maxItems * (worstBytes(schema.items, `${where}[]`) + 1);
      // Items the code holds to a number of bytes (single-escaped): escaped again, each byte takes at most 2.
      const heldBytes = schema[MAX_ITEMS_BYTES];
      const held = heldBytes === undefined ? Infinity : 2 * heldBytes;
      return 2 + Math.min(items, held);
    }
    case "object": {
      if (schema.additionalProperties !== false && !schema.properties)
        throw new Unbounded(`${where}: an object of any fields`);
      const fields = Object.entries(schema.properties ?? {}).map(
        ([field, value]) => resultBytes(JSON.stringify(field)) + 1 + worstBytes(value, `${where}.${field}`) + 1,
      );
      return 2 + fields.reduce((sum, bytes) => sum + bytes, 0);
    }
    default:
      throw new Unbounded(`${where}: a schema without a type`);
  }
}

/** The invocation result around a body: status, the headers every answer carries, and the ones some add. */
const resultOverhead = resultBytes(
  JSON.stringify({
    statusCode: 200,
    headers: { ...securityHeaders, "retry-after": "86400", allow: "GET, PUT, POST, PATCH, DELETE" },
    body: "",
  }),
);

const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })),
);

/** Each route's documented answers with a JSON body, and the largest result each can make. */
function worstAnswers(route: string, operation: Operation): { status: string; bytes: number }[] {
  return Object.entries(operation.responses).flatMap(([status, response]) => {
    const schema = response.content?.["application/json"]?.schema;
    if (!schema) return [];
    // API Gateway's own answers (its 401, 413, 429 and 500) never come from the function.
    if (resolve(schema).properties?.message?.const !== undefined) return [];
    if (status === "200" && STATIC_ANSWERS.includes(route)) return [];
    return [{ status, bytes: resultOverhead + worstBytes(schema, `${route} ${status}`) }];
  });
}

describe("the largest answer of every route, from the OpenAPI document", () => {
  it("costs what JSON makes of each character, escaped twice in Lambda's result", () => {
    expect([characterBytes("a"), characterBytes("é"), characterBytes("📈")]).toEqual([1, 2, 4]);
    expect([characterBytes('"'), characterBytes("\\"), characterBytes("\n"), characterBytes("\u0001")]).toEqual([
      4, 4, 3, 7,
    ]);
    expect(worstCharacterBytes("^[A-Za-z0-9_]{3,30}$")).toBe(1);
    expect(worstCharacterBytes("^[^\\u0000-\\u001F\\u007F-\\u009F]+$")).toBe(4);
    expect(worstCharacterBytes(undefined)).toBe(7);
  });

  it.each(operations)("$route stays under Lambda's 6 MB response limit", ({ route, operation }) => {
    for (const { status, bytes } of worstAnswers(route, operation)) {
      expect(bytes, `${route} ${status}: at most ${bytes.toLocaleString("en")} bytes`).toBeLessThanOrEqual(
        LAMBDA_RESPONSE_LIMIT,
      );
    }
  });

  it.each(STATIC_ANSWERS)("%s (the same answer every time) stays under 6 MB as measured", async (route) => {
    const [method, path] = route.split(" ") as [string, string];
    const result = await dispatch(toIncomingRequest({ method, path }), { jwtSecret: jwtSecret() });
    expect(result.statusCode).toBe(200);
    // Lambda measures the serialized result: a gzipped script travels base64-encoded in it.
    expect(Buffer.byteLength(JSON.stringify(result), "utf8")).toBeLessThanOrEqual(LAMBDA_RESPONSE_LIMIT);
  });
});
