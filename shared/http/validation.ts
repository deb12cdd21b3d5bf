import type * as z from "zod/mini";
import { DomainError, validationFailed, type FieldProblem } from "../errors";
import { isWellFormedText } from "../schemas/common";
import { errorAnswerLimits } from "../schemas/errors";
import { cutText } from "./errors";

type Issue = z.core.$ZodIssue;

/**
 * How many problems a request's checks collect at most: one more than an error answer lists (20), so that the
 * answer knows it stops short (shared/http/errors.ts). Checks stop there, whatever the input holds.
 */
const MAX_PROBLEMS = errorAnswerLimits.details + 1;

/** A dotted field name of path segments, built only as long as an answer shows it (200 characters). */
function fieldName(segments: readonly string[], fallback = "body"): string {
  let name = "";
  for (const segment of segments) {
    if (segment === "") continue;
    name = name === "" ? segment : `${name}.${segment}`;
    // Beyond twice the limit in UTF-16 units the answer cuts it anyway: a 256 KiB key costs no more than this.
    if (name.length > 2 * errorAnswerLimits.fieldLength) return cutText(name, errorAnswerLimits.fieldLength);
  }
  return name === "" ? fallback : cutText(name, errorAnswerLimits.fieldLength);
}

function problemsOf(issues: readonly Issue[], prefix: string): FieldProblem[] {
  const byField = new Map<string, string>();
  for (const issue of issues) {
    if (byField.size >= MAX_PROBLEMS) break;
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      // One detail per unknown field, so a client sees exactly which ones it may not send.
      for (const key of issue.keys) {
        if (byField.size >= MAX_PROBLEMS) break;
        const field = fieldName([prefix, ...path, key]);
        if (!byField.has(field)) byField.set(field, "is not a known field");
      }
      continue;
    }
    const field = fieldName([prefix, ...path], prefix || "body");
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

/** A value met on the walk, and how to name it: its key or index, under its parent's name. */
interface Visit {
  value: unknown;
  segment: string;
  parent: Visit | null;
  /** The segment is an object key that is itself ill-formed: the problem is the key, not its value. */
  badKey?: true;
}

function segmentsOf(visit: Visit): string[] {
  const segments: string[] = [];
  for (let at: Visit | null = visit; at; at = at.parent) segments.push(at.segment);
  return segments.reverse();
}

/**
 * Every string of an input (object keys included) that is not well-formed UTF-16, in document order, at most
 * `limit` of them: JSON's `\ud800` escapes can carry a lone surrogate, which has no UTF-8 form, so DynamoDB would
 * refuse it (a 500 after half the work). The walk keeps its own stack (no recursion: a body's depth cannot overflow
 * the call stack) and visits each value once, so its work is bounded by the body's size; a field's name is made
 * only for a problem found.
 */
export function illFormedText(input: unknown, limit = MAX_PROBLEMS): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const pending: Visit[] = [{ value: input, segment: "", parent: null }];
  while (pending.length > 0 && problems.length < limit) {
    const visit = pending.pop()!;
    const { value } = visit;
    if (visit.badKey || (typeof value === "string" && !isWellFormedText(value))) {
      problems.push({ field: fieldName(segmentsOf(visit)), message: ILL_FORMED_TEXT });
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    // Pushed last to first, so that they are visited first to last.
    if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index--) {
        pending.push({ value: value[index], segment: String(index), parent: visit });
      }
      continue;
    }
    const entries: [string, unknown][] = Object.entries(value);
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, child] = entries[index]!;
      pending.push(
        isWellFormedText(key)
          ? { value: child, segment: key, parent: visit }
          : { value: undefined, segment: key, parent: visit, badKey: true },
      );
    }
  }
  return problems;
}

/**
 * Parses several inputs of one request (body, query, headers, path) with their schemas, skipping absent schemas;
 * when any fails, one 400 `validation_failed` lists the details of all of them (at most MAX_PROBLEMS are
 * collected). Text that cannot be stored is refused in every input, before its schema looks at it. Runs after
 * the cheap checks: the token, the body's size and depth (shared/http/middleware).
 */
export function parseInputs(inputs: [z.ZodMiniType | undefined, unknown][]): unknown[] {
  const problems: FieldProblem[] = [];
  const parsed = inputs.map(([schema, input]) => {
    if (!schema || problems.length >= MAX_PROBLEMS) return undefined;
    const illFormed = illFormedText(input, MAX_PROBLEMS - problems.length);
    if (illFormed.length > 0) {
      problems.push(...illFormed);
      return undefined;
    }
    try {
      return parseInput(schema, input);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== "validation_failed") throw error;
      problems.push(...(error.extra.details ?? []).slice(0, MAX_PROBLEMS - problems.length));
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
