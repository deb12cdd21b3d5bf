import type { AttributeValue } from "@aws-sdk/client-dynamodb";

// DynamoDB's published item-size rules ("DynamoDB item sizes and formats", Amazon DynamoDB Developer Guide):
// - a string: its UTF-8 bytes; a binary: its raw bytes; a null or a Boolean: 1 byte;
// - a number: about 1 byte per two significant digits (leading and trailing zeroes trimmed), plus 1 byte;
// - a list or a map: 3 bytes of overhead, plus its elements, plus 1 byte per element (a map's element also
//   counts its name);
// - an item: the sum of its attribute names' UTF-8 bytes and its values' sizes.
// Sets are sized as the sum of their members (the guide lists no overhead for them).

const utf8Bytes = (text: string): number => Buffer.byteLength(text, "utf8");

/** The size of a number as DynamoDB counts it: 1 byte per two significant digits, plus 1. */
export function numberSize(number: string): number {
  const mantissa = number.replace(/^[+-]/, "").replace(/[eE].*$/, "");
  const digits = mantissa.replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** The size of one attribute value (without its name). */
function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8Bytes(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + valueSize(element) + 1, 0);
  if (value.M !== undefined) {
    return (
      3 + Object.entries(value.M).reduce((sum, [name, element]) => sum + utf8Bytes(name) + valueSize(element) + 1, 0)
    );
  }
  if (value.SS !== undefined) return value.SS.reduce((sum, member) => sum + utf8Bytes(member), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, member) => sum + numberSize(member), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, member) => sum + member.byteLength, 0);
  throw new Error(`unknown attribute value type: ${Object.keys(value).join(", ")}`);
}

/** The size of an item: its attribute names and values. */
export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8Bytes(name) + valueSize(value), 0);
}

const READ_UNIT_BYTES = 4096;
const WRITE_UNIT_BYTES = 1024;

/** Read units of one item read alone (GetItem, a BatchGetItem key): 4 KB units rounded up, at least one. */
export const readUnitsOf = (bytes: number): number => Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
/** Write units of one item written: 1 KB units rounded up, at least one. */
export const writeUnitsOf = (bytes: number): number => Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
