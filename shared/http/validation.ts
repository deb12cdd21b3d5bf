import * as z from "zod/mini";
import { DomainError, validationFailed, type FieldProblem } from "../errors";
import { isWellFormedText } from "../schemas/common";

type Issue = z.core.$ZodIssue;

function problemsOf(issues: readonly Issue[], prefix: string): FieldProblem[] {
  const byField = new Map<string, string>();
  for (const issue of issues) {
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      // One detail per unknown field, so a client sees exactly which ones it may not send.
      for (const key of issue.keys) {
        const field = [prefix, ...path, key].filter(Boolean).join(".");
        if (!byField.has(field)) byField.set(field, "is not a known field");
      }
      continue;
    }
    const field = [prefix, ...path].filter(Boolean).join(".") || prefix || "body";
    if (!byField.has(field)) byField.set(field, messageOf(issue));
  }
  return [...byField].map(([field, message]) => ({ field, message }));
}

function messageOf(issue: Issue): string {
  if ((issue.code === "invalid_type" || issue.code === "invalid_value") && issue.input === undefined)
    return "is required";
  if (issue.code === "invalid_type")
    return `must be ${issue.expected === "object" ? "an object" : `a ${issue.expected}`}`;
  if (issue.code === "invalid_value") return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  if (issue.code === "invalid_union") return "is not a valid value";
  return issue.message;
}

/** Parses input with a zod schema; failure is 400 `validation_failed` with one detail per field. */
export function parseInput<S extends z.ZodMiniType>(schema: S, input: unknown, prefix = ""): z.infer<S> {
  // reportInput: an issue then tells a missing field (no input) from one of the wrong type.
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw validationFailed(problemsOf(result.error.issues, prefix));
}

const ILL_FORMED_TEXT = "must be valid Unicode text (it holds a lone surrogate, which cannot be stored as UTF-8)";

/**
 * Every string of an input (object keys included) that is not well-formed UTF-16: JSON's `\ud800` escapes can
 * carry a lone surrogate, which has no UTF-8 form, so DynamoDB would refuse it (a 500 after half the work).
 */
export function illFormedText(input: unknown, path: string[] = []): FieldProblem[] {
  const field = () => path.join(".") || "body";
  if (typeof input === "string") return isWellFormedText(input) ? [] : [{ field: field(), message: ILL_FORMED_TEXT }];
  if (Array.isArray(input)) return input.flatMap((item, index) => illFormedText(item, [...path, String(index)]));
  if (typeof input !== "object" || input === null) return [];
  return Object.entries(input).flatMap(([key, value]) =>
    isWellFormedText(key)
      ? illFormedText(value, [...path, key])
      : [{ field: [...path, key].join("."), message: ILL_FORMED_TEXT }],
  );
}

/**
 * Parses several inputs of one request (body, query, headers, path) with their schemas, skipping absent schemas;
 * when any fails, one 400 `validation_failed` lists the details of all of them. Text that cannot be stored is
 * refused in every input, before its schema looks at it.
 */
export function parseInputs(inputs: [z.ZodMiniType | undefined, unknown][]): unknown[] {
  const problems: FieldProblem[] = [];
  const parsed = inputs.map(([schema, input]) => {
    if (!schema) return undefined;
    const illFormed = illFormedText(input);
    if (illFormed.length > 0) {
      problems.push(...illFormed);
      return undefined;
    }
    try {
      return parseInput(schema, input);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== "validation_failed") throw error;
      problems.push(...(error.extra.details ?? []));
      return undefined;
    }
  });
  if (problems.length > 0) throw validationFailed(problems);
  return parsed;
}

/** The headers a schema names, looked up case-insensitively and keyed by the schema's (canonical) names. */
export function headerInput(
  schema: z.ZodMiniObject,
  headers: Record<string, string | undefined>,
): Record<string, string> {
  const lowerCased = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const input: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = lowerCased.get(name.toLowerCase());
    if (value !== undefined) input[name] = value;
  }
  return input;
}
