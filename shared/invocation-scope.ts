import type { InvokeStoreBase } from "@aws/lambda-invoke-store";

// State that belongs to one invocation (a request's log keys, its metrics). A classic Lambda environment runs one
// invocation at a time, and the state lives in this module. Where invocations run concurrently in one process (a
// Lambda Managed Instance, AWS_LAMBDA_MAX_CONCURRENCY set; the local host, infra/local/invoke-store.ts), the runtime
// gives each its context in `globalThis.awslambda.InvokeStore`, and each invocation's state lives there: what
// Powertools' InvocationScoped does, which the logger and the metrics used before (docs/performance.md, part 1).

const lambdaGlobals: { awslambda?: { InvokeStore?: InvokeStoreBase } } = globalThis;

/** The Lambda runtime's InvokeStore (the invocation's request and trace IDs), where there is one. */
export const invokeStore = (): InvokeStoreBase | undefined => lambdaGlobals.awslambda?.InvokeStore;

/** The running invocation's store, when invocations run concurrently and one is running. */
function scopedStore(): InvokeStoreBase | undefined {
  if (!process.env.AWS_LAMBDA_MAX_CONCURRENCY) return undefined;
  const store = invokeStore();
  if (!store) throw new Error("InvokeStore is not available");
  return store.hasContext() ? store : undefined;
}

export interface InvocationScoped<T> {
  get(): T;
  set(value: T): void;
  /** Forgets the invocation's value: the next `get` starts afresh (`fresh`) or reads the shared one. */
  reset(): void;
}

/**
 * A value per invocation. `fresh`: each invocation starts with a new one; `initial`: invocations read the shared
 * value (initially this) until one sets its own.
 */
export function invocationScoped<T>(name: string, start: { fresh: () => T } | { initial: T }): InvocationScoped<T> {
  const key = Symbol(name);
  const perInvocation = "fresh" in start;
  const create = "fresh" in start ? start.fresh : () => start.initial;
  let shared: [T] | undefined;
  const getShared = (): T => (shared ??= [create()])[0];
  return {
    get() {
      const store = scopedStore();
      if (!store) return getShared();
      const boxed = store.get<[T]>(key);
      if (boxed) return boxed[0];
      if (!perInvocation) return getShared();
      const value = create();
      store.set(key, [value]);
      return value;
    },
    set(value) {
      const store = scopedStore();
      if (store) store.set(key, [value]);
      else shared = [value];
    },
    reset() {
      const store = scopedStore();
      if (store) store.set(key, undefined);
      else shared = undefined;
    },
  };
}
