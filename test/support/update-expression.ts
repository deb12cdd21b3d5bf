import type { AttributeValue } from "@aws-sdk/client-dynamodb";

// An UpdateExpression applied to an item as DynamoDB applies it (Amazon DynamoDB Developer Guide, "Using update
// expressions"), for the capacity meter: it sizes the item an update leaves behind from the item it found, without
// reading it again. SET (a value, `a + b`, `a - b`, `if_not_exists`, `list_append`), REMOVE, ADD (numbers, sets)
// and DELETE (sets), on top-level and nested paths (`a.b[2].c`), with `#name` and `:value` placeholders. What it
// does not know (an exponent in a number, a function it has not met) throws `UnsupportedUpdate`: the meter then
// reads the item instead of guessing.

type Item = Record<string, AttributeValue>;
type PathElement = { name: string } | { index: number };
type Path = PathElement[];
type Operand =
  | { path: Path }
  | { value: string }
  | { call: "if_not_exists"; path: Path; fallback: Operand }
  | { call: "list_append"; first: Operand; second: Operand };
type SetValue = Operand | { left: Operand; operator: "+" | "-"; right: Operand };

interface Actions {
  set: { path: Path; value: SetValue }[];
  remove: Path[];
  add: { path: Path; value: string }[];
  delete: { path: Path; value: string }[];
}

export class UnsupportedUpdate extends Error {
  override readonly name = "UnsupportedUpdate";
}

const TOKEN = /\s*(#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*|\d+|[,.[\]()=+-])/y;

function tokensOf(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const match = TOKEN.exec(expression);
    if (!match) throw new UnsupportedUpdate(`cannot read "${expression.slice(TOKEN.lastIndex)}"`);
    tokens.push(match[1]!);
  }
  return tokens;
}

const CLAUSES = ["SET", "REMOVE", "ADD", "DELETE"] as const;
type Clause = (typeof CLAUSES)[number];
const clauseOf = (token: string | undefined): Clause | undefined =>
  CLAUSES.find((clause) => clause === token?.toUpperCase());

function parse(expression: string, names: Record<string, string>): Actions {
  const tokens = tokensOf(expression);
  let at = 0;
  const peek = () => tokens[at];
  const next = () => {
    const token = tokens[at++];
    if (token === undefined) throw new UnsupportedUpdate(`"${expression}" ends early`);
    return token;
  };
  const expect = (token: string) => {
    if (next() !== token) throw new UnsupportedUpdate(`"${expression}": expected ${token}`);
  };
  const name = (token: string): string => {
    if (!token.startsWith("#")) return token;
    const resolved = names[token];
    if (resolved === undefined) throw new UnsupportedUpdate(`no name for ${token}`);
    return resolved;
  };
  const path = (): Path => {
    const elements: Path = [{ name: name(next()) }];
    while (peek() === "." || peek() === "[") {
      if (next() === ".") elements.push({ name: name(next()) });
      else {
        elements.push({ index: Number(next()) });
        expect("]");
      }
    }
    return elements;
  };
  const operand = (): Operand => {
    const token = peek()!;
    if (token.startsWith(":")) return { value: next() };
    if (tokens[at + 1] === "(") {
      const call = next();
      expect("(");
      let result: Operand;
      if (call === "if_not_exists") {
        const target = path();
        expect(",");
        result = { call, path: target, fallback: operand() };
      } else if (call === "list_append") {
        const first = operand();
        expect(",");
        result = { call, first, second: operand() };
      } else throw new UnsupportedUpdate(`function ${call}`);
      expect(")");
      return result;
    }
    return { path: path() };
  };
  const actions: Actions = { set: [], remove: [], add: [], delete: [] };
  while (at < tokens.length) {
    const clause = clauseOf(next());
    if (!clause) throw new UnsupportedUpdate(`"${expression}": expected SET, REMOVE, ADD or DELETE`);
    do {
      if (clause === "SET") {
        const target = path();
        expect("=");
        const left = operand();
        const operator = peek();
        if (operator === "+" || operator === "-") {
          next();
          actions.set.push({ path: target, value: { left, operator, right: operand() } });
        } else actions.set.push({ path: target, value: left });
      } else if (clause === "REMOVE") actions.remove.push(path());
      else {
        const target = path();
        const value = next();
        if (!value.startsWith(":")) throw new UnsupportedUpdate(`${clause} takes a value placeholder`);
        actions[clause === "ADD" ? "add" : "delete"].push({ path: target, value });
      }
    } while (peek() === "," && next());
  }
  return actions;
}

// ---- numbers, exactly (DynamoDB's numbers are decimals of up to 38 digits)

function decimal(text: string): { digits: bigint; scale: number } {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) throw new UnsupportedUpdate(`number ${text}`);
  const fraction = match[3] ?? "";
  const digits = BigInt(`${match[1]}${match[2] || "0"}${fraction}`);
  return { digits, scale: fraction.length };
}

function arithmetic(left: string, right: string, operator: "+" | "-"): string {
  const a = decimal(left);
  const b = decimal(right);
  const scale = Math.max(a.scale, b.scale);
  const lift = (n: { digits: bigint; scale: number }) => n.digits * 10n ** BigInt(scale - n.scale);
  const sum = operator === "+" ? lift(a) + lift(b) : lift(a) - lift(b);
  const negative = sum < 0n;
  let text = (negative ? -sum : sum).toString().padStart(scale + 1, "0");
  if (scale > 0) text = `${text.slice(0, -scale)}.${text.slice(-scale)}`.replace(/\.?0+$/, "");
  return text === "0" ? "0" : `${negative ? "-" : ""}${text}`;
}

// ---- paths

const clone = (value: AttributeValue): AttributeValue => structuredClone(value);

function valueAt(item: Item, path: Path): AttributeValue | undefined {
  let current: AttributeValue | undefined = { M: item };
  for (const element of path) {
    if (current === undefined) return undefined;
    current = "name" in element ? current.M?.[element.name] : current.L?.[element.index];
  }
  return current;
}

/** The container (a map's entries or a list) holding the path's last element; the path's parents must exist. */
function parentOf(item: Item, path: Path): Record<string, AttributeValue> | AttributeValue[] {
  const parent = path.length === 1 ? { M: item } : valueAt(item, path.slice(0, -1));
  const last = path.at(-1)!;
  const container = "name" in last ? parent?.M : parent?.L;
  if (!container) throw new UnsupportedUpdate("a path whose parent is missing");
  return container;
}

function setAt(item: Item, path: Path, value: AttributeValue): void {
  const container = parentOf(item, path);
  const last = path.at(-1)!;
  if ("name" in last) (container as Record<string, AttributeValue>)[last.name] = value;
  else {
    const list = container as AttributeValue[];
    // Past the end of a list, SET appends.
    if (last.index >= list.length) list.push(value);
    else list[last.index] = value;
  }
}

function removeAt(item: Item, path: Path): void {
  const last = path.at(-1)!;
  const parent = path.length === 1 ? { M: item } : valueAt(item, path.slice(0, -1));
  if ("name" in last) {
    if (parent?.M) delete parent.M[last.name];
  } else if (parent?.L && last.index < parent.L.length) parent.L.splice(last.index, 1);
}

function setMembers(value: AttributeValue): { kind: "SS" | "NS" | "BS"; members: (string | Uint8Array)[] } {
  if (value.SS) return { kind: "SS", members: value.SS };
  if (value.NS) return { kind: "NS", members: value.NS };
  if (value.BS) return { kind: "BS", members: value.BS };
  throw new UnsupportedUpdate("ADD or DELETE of a value that is neither a number nor a set");
}

function setOf(kind: "SS" | "NS" | "BS", members: (string | Uint8Array)[]): AttributeValue {
  const strings = () => members.filter((member): member is string => typeof member === "string");
  if (kind === "SS") return { SS: strings() };
  if (kind === "NS") return { NS: strings() };
  return { BS: members.filter((member): member is Uint8Array => typeof member !== "string") };
}

const memberKey = (member: string | Uint8Array) =>
  typeof member === "string" ? member : Buffer.from(member).toString("base64");

/** The item an update leaves: `before` (absent: an empty item with the update's key) with the actions applied. */
export function applyUpdate(
  before: Item | undefined,
  key: Item,
  expression: string,
  names: Record<string, string> = {},
  values: Record<string, AttributeValue> = {},
): Item {
  const actions = parse(expression, names);
  const original: Item = before ?? key;
  const item: Item = structuredClone(original);
  const valueOf = (placeholder: string): AttributeValue => {
    const value = values[placeholder];
    if (!value) throw new UnsupportedUpdate(`no value for ${placeholder}`);
    return value;
  };
  // Every operand reads the item as it was before the update.
  const evaluate = (operand: Operand): AttributeValue => {
    if ("value" in operand) return clone(valueOf(operand.value));
    if ("path" in operand && !("call" in operand)) {
      const found = valueAt(original, operand.path);
      if (!found) throw new UnsupportedUpdate("an operand whose path is missing");
      return clone(found);
    }
    if (operand.call === "if_not_exists") {
      const found = valueAt(original, operand.path);
      return found ? clone(found) : evaluate(operand.fallback);
    }
    const first = evaluate(operand.first);
    const second = evaluate(operand.second);
    if (!first.L || !second.L) throw new UnsupportedUpdate("list_append of a value that is not a list");
    return { L: [...first.L, ...second.L] };
  };
  for (const action of actions.set) {
    const value = action.value;
    if ("operator" in value) {
      const left = evaluate(value.left);
      const right = evaluate(value.right);
      if (left.N === undefined || right.N === undefined) throw new UnsupportedUpdate("arithmetic on a non-number");
      setAt(item, action.path, { N: arithmetic(left.N, right.N, value.operator) });
    } else setAt(item, action.path, evaluate(value));
  }
  // List elements removed from the highest index down, so that each index means what it meant before.
  const removals = [...actions.remove].sort((a, b) => {
    const last = (path: Path) => {
      const element = path.at(-1)!;
      return "index" in element ? element.index : -1;
    };
    return last(b) - last(a);
  });
  for (const path of removals) removeAt(item, path);
  for (const action of actions.add) {
    const value = valueOf(action.value);
    const current = valueAt(item, action.path);
    if (value.N !== undefined) {
      if (current && current.N === undefined) throw new UnsupportedUpdate("ADD of a number to a non-number");
      setAt(item, action.path, { N: arithmetic(current?.N ?? "0", value.N, "+") });
    } else {
      const added = setMembers(value);
      const members = current ? setMembers(current).members : [];
      const seen = new Set(members.map(memberKey));
      const union = [...members, ...added.members.filter((member) => !seen.has(memberKey(member)))];
      setAt(item, action.path, setOf(added.kind, union));
    }
  }
  for (const action of actions.delete) {
    const current = valueAt(item, action.path);
    if (!current) continue;
    const { kind, members } = setMembers(current);
    const removed = new Set(setMembers(valueOf(action.value)).members.map(memberKey));
    const rest = members.filter((member) => !removed.has(memberKey(member)));
    if (rest.length === 0) removeAt(item, action.path);
    else setAt(item, action.path, setOf(kind, rest));
  }
  return item;
}
