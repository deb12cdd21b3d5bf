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

// ---------------------------------------------------------------------------------------------------------------
// Hostile bodies (issue 23): up to 256 KiB, deep, wide, with long keys, lone surrogates, numbers and strings at
// every limit. Made as JSON text, not values: a body 100,000 levels deep cannot go through JSON.stringify.

/** The largest body the API takes (413 beyond). */
const MAX_BODY_BYTES = 256 * 1024;

const bytesOf = (text: string) => Buffer.byteLength(text, "utf8");

/** Characters that break things: lone surrogates, controls, quotes, invisible ones, 4-byte ones, separators. */
const nastyCharacter = fc.constantFrom(
  "\ud800",
  "\udfff",
  "\u0000",
  "\u001f",
  '"',
  "\\",
  "\u200b",
  "\u{1d159}",
  "\u2800",
  "📈",
  "a",
  "\u2028",
  "\ufeff",
  "\u0301",
);
const nastyText = (maxLength: number) => fc.string({ unit: nastyCharacter, maxLength });

/** Numbers at JavaScript's and JSON's edges, as JSON text. */
const extremeNumber = fc.constantFrom(
  "0",
  "-0",
  "1e308",
  "-1e309",
  "1e-400",
  "9007199254740993",
  "-9007199254740993",
  "1.7976931348623157e308",
  "5e-324",
  "0.1",
  "101",
  "-1",
  `1${"0".repeat(1000)}`,
);

/** A JSON leaf: a lone surrogate, a nasty string, an extreme number, or a constant. */
const leaf: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant('"\\ud800"'), weight: 3 },
  { arbitrary: nastyText(40).map((text) => JSON.stringify(text)), weight: 2 },
  { arbitrary: extremeNumber, weight: 2 },
  { arbitrary: fc.constantFrom("null", "true", "false", "{}", "[]", '""'), weight: 1 },
);

/** A key: short or long, plain or nasty, a lone surrogate, or a name JavaScript objects treat specially. */
const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("k", "__proto__", "constructor", "prototype", "toString", "role", "\ud800", "", "a.b"),
  nastyText(20),
  fc.integer({ min: 1, max: 65_536 }).map((length) => "K".repeat(length)),
);

/** Repeats `unit` (with commas) as often as fits `budget` bytes inside `open` and `close`. */
function fill(open: string, unit: string, close: string, count: number, budget: number): string {
  const fits = Math.max(0, Math.floor((budget - bytesOf(open) - bytesOf(close)) / (bytesOf(unit) + 1)));
  return `${open}${Array(Math.min(count, fits)).fill(unit).join(",")}${close}`;
}

/** Arrays, objects or both nested `depth` deep (as deep as fits) around a leaf. */
const deepBody = fc
  .record({
    depth: fc.oneof(
      fc.integer({ min: 1, max: 40 }),
      fc.constantFrom(31, 32, 33, 34, 500, 2_000, 5_000, 40_000, 131_072),
    ),
    shape: fc.constantFrom("arrays", "objects", "both"),
    key: hostileKey.filter((key) => bytesOf(key) < 64),
    inner: leaf,
  })
  .map(({ depth, shape, key, inner }) => {
    const keyText = JSON.stringify(key);
    const levelBytes = shape === "arrays" ? 2 : shape === "objects" ? bytesOf(keyText) + 3 : bytesOf(keyText) + 5;
    const levels = Math.min(depth, Math.floor((MAX_BODY_BYTES - bytesOf(inner)) / levelBytes));
    const open = shape === "arrays" ? "[" : shape === "objects" ? `{${keyText}:` : `{${keyText}:[`;
    const close = shape === "arrays" ? "]" : shape === "objects" ? "}" : "]}";
    return `${open.repeat(levels)}${inner}${close.repeat(levels)}`;
  });

/** An object with many keys, or an array with many elements, up to 256 KiB. */
const wideBody = fc
  .record({
    count: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 100, max: 100_000 })),
    asObject: fc.boolean(),
    key: hostileKey,
    element: leaf,
    budget: fc.integer({ min: 2, max: MAX_BODY_BYTES }),
  })
  .map(({ count, asObject, key, element, budget }) => {
    if (!asObject) return fill("[", element, "]", count, budget);
    // Distinct keys: the key with a counter (JSON keeps duplicates, JSON.parse keeps the last).
    const base = JSON.stringify(key).slice(1, -1);
    const entries: string[] = [];
    let size = 2;
    for (let i = 0; i < count; i++) {
      const entry = `"${base}${i}":${element}`;
      size += bytesOf(entry) + 1;
      if (size > budget) break;
      entries.push(entry);
    }
    return `{${entries.join(",")}}`;
  });

/** The red team's shape: levels of long keys around an array of lone surrogates, filling 256 KiB. */
const longKeysBody = fc
  .record({ levels: fc.integer({ min: 1, max: 40 }), keyLength: fc.integer({ min: 1, max: 8_000 }), inner: leaf })
  .map(({ levels, keyLength, inner }) => {
    const open = `{${JSON.stringify("K".repeat(keyLength))}:`;
    const fitting = Math.min(levels, Math.floor((MAX_BODY_BYTES - 2) / (bytesOf(open) + 1)));
    const shell = fitting * (bytesOf(open) + 1);
    return `${open.repeat(fitting)}${fill("[", inner, "]", MAX_BODY_BYTES, MAX_BODY_BYTES - shell)}${"}".repeat(fitting)}`;
  });

/**
 * A body of the operation's own shape with its limits tested: each text at its longest or one past it (in a
 * nasty character), lists at their most items or one more (or thousands), numbers beyond their bounds, and now
 * and then a field that is not the schema's, nested to the depth limit.
 */
function bodyAtLimits(schema: Json | undefined, document: Json): fc.Arbitrary<string> {
  const resolved = schema ? resolveRef(schema, document) : { properties: {} };
  const properties = Object.entries((resolved.properties ?? {}) as Record<string, Json>);
  const atLimit = (property: Json): fc.Arbitrary<string> => {
    const field = resolveRef(property, document);
    if (field.type === "string" || field.oneOf || field.enum) {
      const max: number = field.maxLength ?? 100;
      return fc.record({ over: fc.integer({ min: 0, max: 1 }), unit: nastyCharacter }).map(({ over, unit }) => {
        // At the limit in the nasty character when that fits a quarter of the body, else in a plain one.
        const text = unit.repeat(max + over);
        return bytesOf(JSON.stringify(text)) <= MAX_BODY_BYTES / 4
          ? JSON.stringify(text)
          : JSON.stringify("a".repeat(max + over));
      });
    }
    if (field.type === "array") {
      const most: number = field.maxItems ?? 10;
      return fc
        .record({ count: fc.constantFrom(most, most + 1, 5_000), element: leaf })
        .map(({ count, element }) => fill("[", element, "]", count, MAX_BODY_BYTES / 2));
    }
    if (field.type === "integer" || field.type === "number") return extremeNumber;
    return leaf;
  };
  const fields = properties.map(([name, property]) =>
    atLimit(property).map((value) => `${JSON.stringify(name)}:${value}`),
  );
  return fc
    .record({
      fields: fields.length > 0 ? fc.tuple(...fields) : fc.constant([] as string[]),
      extra: fc.option(
        hostileKey
          .filter((key) => bytesOf(key) < 1000)
          .map((key) => `${JSON.stringify(key)}:${"[".repeat(31)}${"]".repeat(31)}`),
        { nil: undefined, freq: 3 },
      ),
    })
    .map(({ fields: chosen, extra }) => `{${[...chosen, ...(extra ? [extra] : [])].join(",")}}`)
    .filter((text) => bytesOf(text) <= MAX_BODY_BYTES);
}

/** Pads a body with trailing spaces to exactly 256 KiB, or one byte past it (413). */
const padded = (text: string, over: boolean) =>
  text.padEnd(MAX_BODY_BYTES - bytesOf(text) + text.length + (over ? 1 : 0), " ");

/** A hostile body for an operation: deep, wide, long keys, at the schema's limits, or at the size limit. */
export function hostileBody(operation: Json, document: Json): fc.Arbitrary<RequestBody> {
  const schema = operation.requestBody?.content?.["application/json"]?.schema as Json | undefined;
  const shapes = fc.oneof(deepBody, wideBody, longKeysBody, bodyAtLimits(schema, document));
  return fc
    .oneof(
      { arbitrary: shapes, weight: 9 },
      {
        arbitrary: fc
          .tuple(shapes, fc.boolean())
          .map(([text, over]) => (bytesOf(text) < MAX_BODY_BYTES ? padded(text, over) : text)),
        weight: 1,
      },
    )
    .map((text): RequestBody => ({ kind: "raw", text }));
}
