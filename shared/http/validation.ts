import * as z from "zod/mini";
import { validationFailed, type FieldProblem } from "../errors";

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
  if (issue.code === "invalid_type" && issue.input === undefined) return "is required";
  if (issue.code === "invalid_type") return `must be ${issue.expected === "object" ? "an object" : `a ${issue.expected}`}`;
  if (issue.code === "invalid_value") return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
  if (issue.code === "invalid_union") return "is not a valid value";
  return issue.message;
}

/** Parses input with a zod schema; failure is 400 `validation_failed` with one detail per field. */
export function parseInput<S extends z.ZodMiniType>(schema: S, input: unknown, prefix = ""): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationFailed(problemsOf(result.error.issues, prefix));
}
