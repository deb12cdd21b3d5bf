import * as z from "zod/mini";
import { DomainError, validationFailed, type FieldProblem } from "../errors";

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
  if ((issue.code === "invalid_type" || issue.code === "invalid_value") && issue.input === undefined) return "is required";
  if (issue.code === "invalid_type") return `must be ${issue.expected === "object" ? "an object" : `a ${issue.expected}`}`;
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

/**
 * Parses several inputs of one request (body, query, headers) with their schemas, skipping absent schemas;
 * when any fails, one 400 `validation_failed` lists the details of all of them.
 */
export function parseInputs(inputs: [z.ZodMiniType | undefined, unknown][]): unknown[] {
  const problems: FieldProblem[] = [];
  const parsed = inputs.map(([schema, input]) => {
    if (!schema) return undefined;
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
export function headerInput(schema: z.ZodMiniObject, headers: Record<string, string | undefined>): Record<string, string> {
  const lowerCased = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const input: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = lowerCased.get(name.toLowerCase());
    if (value !== undefined) input[name] = value;
  }
  return input;
}
