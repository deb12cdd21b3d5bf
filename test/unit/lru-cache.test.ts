import * as fc from "fast-check";
import MnemonistLRUCache from "mnemonist/lru-cache";
import { describe, expect, it } from "vitest";
import LRUCache from "../../shared/aws/lru-cache";

// Every bundle's DynamoDB client builds its endpoint cache on shared/aws/lru-cache.ts instead of mnemonist's
// LRUCache (an esbuild alias, infra/bundling.ts). What the endpoint cache calls of it (@aws-sdk/endpoint-cache:
// get, set, peek, has, clear, at its capacity) must answer as mnemonist's does, for any sequence of calls.

type Operation =
  { call: "get" | "peek" | "has"; key: string } | { call: "set"; key: string; value: number } | { call: "clear" };

const key = fc.constantFrom("a", "b", "c", "d", "e", "f");
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { arbitrary: fc.record({ call: fc.constantFrom("get" as const, "peek" as const, "has" as const), key }), weight: 10 },
  { arbitrary: fc.record({ call: fc.constant("set" as const), key, value: fc.integer() }), weight: 10 },
  // Rare: a clear forgets what eviction order the sequence built.
  { arbitrary: fc.record({ call: fc.constant("clear" as const) }), weight: 1 },
);

function apply(cache: LRUCache<string, number> | MnemonistLRUCache<string, number>, op: Operation): unknown {
  switch (op.call) {
    case "get":
      return cache.get(op.key);
    case "peek":
      return cache.peek(op.key);
    case "has":
      return cache.has(op.key);
    case "set":
      cache.set(op.key, op.value);
      return cache.size;
    case "clear":
      cache.clear();
      return cache.size;
  }
}

describe("the endpoint cache's LRU in the bundles", () => {
  it("answers every sequence of get, peek, has, set and clear as mnemonist's LRUCache, at any capacity", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(operation, { maxLength: 60 }), (capacity, operations) => {
        const ours = new LRUCache<string, number>(capacity);
        const theirs = new MnemonistLRUCache<string, number>(capacity);
        expect(operations.map((op) => apply(ours, op))).toEqual(operations.map((op) => apply(theirs, op)));
      }),
      { numRuns: 500 },
    );
  });

  it("drops the least recently used key at capacity: a get makes a key recent, a peek does not", () => {
    const cache = new LRUCache<string, number>(2);
    cache.set("a", 1).set("b", 2);
    expect(cache.get("a")).toBe(1);
    cache.set("c", 3);
    expect([cache.has("a"), cache.has("b"), cache.has("c")]).toEqual([true, false, true]);
    expect(cache.peek("a")).toBe(1);
    cache.set("d", 4);
    expect([cache.has("a"), cache.has("c"), cache.has("d")]).toEqual([false, true, true]);
  });
});
