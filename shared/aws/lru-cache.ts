// The least-recently-used cache of the DynamoDB client's endpoint discovery (@aws-sdk/endpoint-cache), in place of
// mnemonist's (an esbuild alias of `mnemonist/lru-cache`: infra/bundling.ts). Every DynamoDB client builds one, and
// none of this stack's functions discovers endpoints (DynamoDB needs no discovery unless a client turns it on): the
// package and obliterator, which it pulls in, are 7 KB of every bundle for an object that stays empty. A Map keeps
// its keys in insertion order, so the least recently used is the first: what the endpoint cache calls of mnemonist's
// (`get`, `set`, `peek`, `has`, `clear`), with the same eviction at capacity. Code run from source keeps mnemonist.

export default class LRUCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!(capacity > 0)) throw new Error("LRUCache: the capacity must be a positive number");
  }

  get size(): number {
    return this.entries.size;
  }

  /** The key's value, which becomes the most recently used. */
  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** The key's value, leaving the order of use as it is. */
  peek(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Sets the key's value, the most recently used; at capacity, the least recently used key goes. */
  set(key: K, value: V): this {
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, value);
    return this;
  }

  clear(): void {
    this.entries.clear();
  }
}
