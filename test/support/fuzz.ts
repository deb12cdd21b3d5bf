import fc from "fast-check";

// Requests made from the OpenAPI document alone: values its schemas allow, and values they refuse.

type Json = Record<string, any>;

/** `FUZZ_RUNS` cases per operation (default 12: seconds in `npm test`); `FUZZ_SEED` fixed unless `random`. */
export const fuzzSettings = {
  runs: Number(process.env.FUZZ_RUNS ?? 12),
  seed: process.env.FUZZ_SEED === "random" ? Date.now() : Number(process.env.FUZZ_SEED ?? 20_261_130),
};

const DAY_MS = 24 * 60 * 60 * 1000;
/** Strings of any Unicode code points (JSON Schema's lengths count code points, as the API does). */
const text = (minLength: number, maxLength: number) => fc.string({ unit: "binary", minLength, maxLength });

function resolveRef(schema: Json, document: Json): Json {
  if (typeof schema.$ref !== "string") return schema;
  const name = schema.$ref.replace("#/components/schemas/", "");
  return resolveRef(document.components.schemas[name], document);
}

function validString(schema: Json): fc.Arbitrary<string> {
  // Times in the past: a cleanup cutoff may not lie in the future, and any entitlement may end in the past.
  if (schema.format === "date-time") {
    return fc
      .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date(Date.now() - DAY_MS), noInvalidDate: true })
      .map((date) => date.toISOString());
  }
  if (schema.pattern && schema.pattern !== "\\S") return fc.stringMatching(new RegExp(schema.pattern, "u"));
  const min: number = schema.minLength ?? 0;
  const max: number = schema.maxLength ?? 40;
  // Mostly short values, and the longest allowed now and then.
  const value = fc.oneof(
    { arbitrary: text(min, Math.min(max, min + 30)), weight: 4 },
    { arbitrary: fc.constant("x".repeat(max)), weight: 1 },
  );
  return schema.pattern === "\\S" ? value.filter((candidate) => /\S/u.test(candidate)) : value;
}

/** Values the schema allows. */
function validValue(schema: Json, document: Json): fc.Arbitrary<unknown> {
  const resolved = resolveRef(schema, document);
  if (resolved.const !== undefined) return fc.constant(resolved.const);
  if (resolved.enum) return fc.constantFrom(...(resolved.enum as unknown[]));
  if (resolved.oneOf) return fc.oneof(...(resolved.oneOf as Json[]).map((option) => validValue(option, document)));
  switch (resolved.type) {
    case "string":
      return validString(resolved);
    case "integer":
      return fc.integer({ min: resolved.minimum ?? -1000, max: resolved.maximum ?? 1000 });
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(validValue(resolved.items, document), {
        minLength: resolved.minItems ?? 0,
        maxLength: Math.min(resolved.maxItems ?? 4, 4),
      });
    case "object": {
      const properties = Object.entries((resolved.properties ?? {}) as Record<string, Json>);
      return fc.record(
        Object.fromEntries(properties.map(([name, property]) => [name, validValue(property, document)])),
        {
          requiredKeys: resolved.required ?? [],
        },
      );
    }
    default:
      throw new Error(`no generator for the schema ${JSON.stringify(resolved)}`);
  }
}

const anyJson = fc.jsonValue({ maxDepth: 3 });

export type RequestBody = { kind: "absent" } | { kind: "json"; value: unknown } | { kind: "raw"; text: string };

function isJson(candidate: string): boolean {
  try {
    JSON.parse(candidate);
    return true;
  } catch {
    return false;
  }
}

/** Bodies that are not JSON, the one over 256 KiB included. */
const notJson = fc
  .oneof(
    text(1, 30).filter((candidate) => !isJson(candidate)),
    fc.constant("x".repeat(300 * 1024)),
  )
  .map((raw): RequestBody => ({ kind: "raw", text: raw }));

/** Bodies the schema refuses (mostly): other JSON, an unknown field, a field missing or of another type, not JSON. */
function invalidBody(schema: Json, document: Json): fc.Arbitrary<RequestBody> {
  const resolved = resolveRef(schema, document);
  const properties = Object.keys(resolved.properties ?? {});
  const valid = validValue(resolved, document) as fc.Arbitrary<Json>;
  const objects = fc.oneof(
    anyJson,
    fc
      .tuple(
        valid,
        text(1, 12).filter((key) => !properties.includes(key)),
        anyJson,
      )
      .map(([value, key, extra]) => ({ ...value, [key]: extra })),
    ...(properties.length === 0
      ? []
      : [
          fc
            .tuple(valid, fc.constantFrom(...properties), anyJson)
            .map(([value, key, replacement]) => ({ ...value, [key]: replacement })),
          fc.tuple(valid, fc.constantFrom(...properties)).map(([value, key]) => {
            const { [key]: _dropped, ...rest } = value;
            return rest;
          }),
        ]),
  );
  return fc.oneof(
    { arbitrary: objects.map((value): RequestBody => ({ kind: "json", value })), weight: 5 },
    { arbitrary: notJson, weight: 1 },
  );
}

/** The body of a request to an operation: mostly what it takes (nothing, or its schema), sometimes not. */
export function requestBody(operation: Json, document: Json): fc.Arbitrary<RequestBody> {
  const schema = operation.requestBody?.content?.["application/json"]?.schema as Json | undefined;
  if (!schema) {
    return fc.oneof(
      { arbitrary: fc.constant<RequestBody>({ kind: "absent" }), weight: 5 },
      { arbitrary: fc.constant<RequestBody>({ kind: "json", value: {} }), weight: 1 },
      { arbitrary: anyJson.map((value): RequestBody => ({ kind: "json", value })), weight: 1 },
      { arbitrary: notJson, weight: 1 },
    );
  }
  return fc.oneof(
    { arbitrary: validValue(schema, document).map((value): RequestBody => ({ kind: "json", value })), weight: 3 },
    { arbitrary: invalidBody(schema, document), weight: 2 },
  );
}

/** A parameter's value: one the schema allows, or any text. */
export function parameterValue(schema: Json, document: Json): fc.Arbitrary<string> {
  const resolved = resolveRef(schema, document);
  const allowed =
    resolved.type === "integer"
      ? fc.integer({ min: resolved.minimum, max: resolved.maximum }).map(String)
      : (validValue(resolved, document) as fc.Arbitrary<string>);
  const other = fc.oneof(text(0, 20), fc.constantFrom("0", "101", "-1", "1.5", "1e2", " 7", "x".repeat(300)));
  return fc.oneof({ arbitrary: allowed, weight: 3 }, { arbitrary: other, weight: 1 });
}

/** A header's value: one the schema allows (as HTTP can carry it), or one it refuses. */
export function headerValue(schema: Json): fc.Arbitrary<string> {
  const max: number = schema.maxLength ?? 100;
  return fc.oneof(fc.stringMatching(new RegExp(`^[\\x21-\\x7e]{1,${max}}$`)), fc.constantFrom("", "k".repeat(max + 1)));
}

/** A path parameter's value: one of `known` (IDs that exist, or existed), or any text. */
export function pathValue(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...known), weight: 4 },
    { arbitrary: fc.oneof(text(1, 30), fc.constant("p".repeat(300))), weight: 1 },
  );
}
