import type { Role } from "../schemas/accounts";

export type { Role };

/**
 * Cognito groups to a role: `admins` wins over `authors`. API Gateway's JWT authorizer hands an array claim
 * to Lambda as the string `[authors admins]`; a verified token gives a real array. Both forms are read here.
 */
export function parseGroups(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((group): group is string => typeof group === "string");
  if (typeof claim !== "string") return [];
  const trimmed = claim.trim();
  if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
    const inner = trimmed.slice(1, -1).trim();
    if (inner.startsWith('"')) {
      try {
        return parseGroups(JSON.parse(trimmed));
      } catch {
        // Not JSON after all: fall through to the space-separated form.
      }
    }
    return inner.split(/[\s,]+/).filter(Boolean);
  }
  return trimmed.split(/[\s,]+/).filter(Boolean);
}

export function roleFromGroups(groups: readonly string[]): Role {
  if (groups.includes("admins")) return "admin";
  if (groups.includes("authors")) return "author";
  return "reader";
}
