/** What an account may do, from its token's Cognito groups (`roleFromGroups`). */
export const ROLES = ["reader", "author", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Authors and admins are never deleted for inactivity, so only readers are candidates. */
export const mayBeDeletedForInactivity = (role: Role): boolean => role === "reader";

/**
 * A name Cognito allows for a group: 1 to 128 letters, marks, symbols, numbers or punctuation; no space or
 * control character. A "group" of any other text names no group of the user pool.
 */
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
export const isGroupName = (value: unknown): value is string => typeof value === "string" && GROUP_NAME.test(value);

/** API Gateway's form of an array claim: `[a b c]`, names separated by single spaces, `[]` for none. */
const API_GATEWAY_ARRAY = /^\[(?:[^\s[\]]+(?: [^\s[\]]+)*)?\]$/u;

/**
 * The Cognito groups a `cognito:groups` claim names, exactly, in the contract's two forms only: a verified token's
 * JSON array of strings (each element that is a group name, as it is: `"admins "` or `"x admins"` names no group,
 * nor does a nested array), or the string API Gateway's JWT authorizer hands to Lambda for an array claim,
 * `[authors admins]`. Anything else (`"authors,admins"`, a bare `"admins"`) names no group: the role falls to reader.
 */
export function parseGroups(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter(isGroupName);
  if (typeof claim !== "string" || !API_GATEWAY_ARRAY.test(claim)) return [];
  const inner = claim.slice(1, -1);
  return inner === "" ? [] : inner.split(" ").filter(isGroupName);
}

export function roleFromGroups(groups: readonly string[]): Role {
  if (groups.includes("admins")) return "admin";
  if (groups.includes("authors")) return "author";
  return "reader";
}
