// Reading stored items with typed guards: every attribute an entity's mapping reads is checked for its type, so
// an item that does not match its entity fails loudly here instead of travelling on as a wrong value. Guards, not
// zod: they cost no schema construction at a cold start (docs/data-model.md, "Entities and their mappings").
import type { ItemKey } from "./keys";

/** An item as the document client hands it back: attribute names to unmarshalled values. Never leaves shared/db. */
export type RawItem = Readonly<Record<string, unknown>>;

/** A stored item whose attributes do not match its entity's mapping: a defect or a corrupt item, answered 500. */
class StoredItemInvalid extends Error {
  override readonly name = "StoredItemInvalid";
  constructor(entity: string, attribute: string, expected: string) {
    super(`A stored ${entity} item has ${attribute} that is not ${expected}`);
  }
}

/** `value` if it is one of `values`; StoredItemInvalid otherwise. */
export function oneOfValues<T extends string>(value: unknown, values: readonly T[], entity: string, name: string): T {
  if ((values as readonly unknown[]).includes(value)) return value as T;
  throw new StoredItemInvalid(entity, name, `one of ${values.join(", ")}`);
}

const isObject = (value: unknown): value is RawItem =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The checked attributes of one item (or of one map inside it), named `entity` in errors. */
export function attributesOf(item: unknown, entity: string) {
  if (!isObject(item)) throw new StoredItemInvalid(entity, "itself", "a map");
  const fail = (name: string, expected: string): never => {
    throw new StoredItemInvalid(entity, name, expected);
  };
  const optional = <T>(name: string, guard: (value: unknown) => value is T, expected: string): T | undefined => {
    const value = item[name];
    if (value === undefined) return undefined;
    return guard(value) ? value : fail(name, expected);
  };
  const required = <T>(name: string, guard: (value: unknown) => value is T, expected: string): T =>
    optional(name, guard, expected) ?? fail(name, expected);
  const isString = (value: unknown): value is string => typeof value === "string";
  const isNumber = (value: unknown): value is number => typeof value === "number";
  const isBoolean = (value: unknown): value is boolean => typeof value === "boolean";
  const isList = (value: unknown): value is unknown[] => Array.isArray(value);
  return {
    string: (name: string) => required(name, isString, "a string"),
    optionalString: (name: string) => optional(name, isString, "a string"),
    /** A string, or null (stored as null, or absent). */
    nullableString: (name: string): string | null =>
      item[name] === null ? null : (optional(name, isString, "a string or null") ?? null),
    number: (name: string) => required(name, isNumber, "a number"),
    optionalNumber: (name: string) => optional(name, isNumber, "a number"),
    boolean: (name: string) => required(name, isBoolean, "a boolean"),
    optionalBoolean: (name: string) => optional(name, isBoolean, "a boolean"),
    oneOf: <T extends string>(name: string, values: readonly T[]): T => oneOfValues(item[name], values, entity, name),
    optionalList: <T>(name: string, read: (element: unknown, where: string) => T): T[] | undefined =>
      optional(name, isList, "a list")?.map((element, index) => read(element, `${entity}.${name}[${index}]`)),
    optionalStrings: (name: string): string[] | undefined =>
      optional(name, (value): value is string[] => isList(value) && value.every(isString), "a list of strings"),
    optionalMap: (name: string): RawItem | undefined => optional(name, isObject, "a map"),
    /** Whether the item holds the attribute at all (any value). */
    has: (name: string): boolean => item[name] !== undefined,
    key: (): ItemKey => ({ pk: required("pk", isString, "a string"), sk: required("sk", isString, "a string") }),
  };
}

/** Whether a raw item claims to be of `entityType` (its attributes are checked by the entity's mapping). */
export const isEntity = (item: RawItem | undefined, entityType: string): item is RawItem =>
  item?.entityType === entityType;

/** Which attributes a read returns (it bills the whole item all the same), with a name for each, so no reserved word trips it. */
export interface Projection {
  ProjectionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
}

/** A projection of `attributes`. */
export function projectionOf(attributes: readonly string[]): Projection {
  const names = Object.fromEntries(attributes.map((name) => [`#${name}`, name]));
  return { ProjectionExpression: Object.keys(names).join(", "), ExpressionAttributeNames: names };
}

/** Reads an item's key: what a keys-only projection returns. */
export const readKey = (item: RawItem): ItemKey => attributesOf(item, "keyed").key();

/** The projection of a keys-only read. */
export const keysOnly = projectionOf(["pk", "sk"]);
