// The local host runs many invocations of one function's module at once in one process, as a Lambda Managed
// Instance does (AWS_LAMBDA_MAX_CONCURRENCY > 1), where a classic Lambda environment runs one at a time. Like that
// runtime, it gives each invocation a context of its own in the InvokeStore (`globalThis.awslambda.InvokeStore`),
// in which the logger and the metrics keep an invocation's log keys, Lambda context and counts apart from the others'
// (shared/invocation-scope.ts), as Powertools does.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { InvokeStoreBase } from "@aws/lambda-invoke-store";

type InvocationContext = Record<string | symbol, unknown>;

/** What the Lambda runtime installs for concurrent invocations: the running invocation's context, per async flow. */
class ConcurrentInvokeStore extends InvokeStoreBase {
  readonly #invocations = new AsyncLocalStorage<InvocationContext>();

  getContext(): InvocationContext | undefined {
    return this.#invocations.getStore();
  }

  hasContext(): boolean {
    return this.#invocations.getStore() !== undefined;
  }

  get<T = unknown>(key: string | symbol): T | undefined {
    return this.#invocations.getStore()?.[key] as T | undefined;
  }

  set<T = unknown>(key: string | symbol, value: T): void {
    if (this.isProtectedKey(key)) throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    const context = this.#invocations.getStore();
    if (!context) throw new Error("No invocation is running");
    context[key] = value;
  }

  run<T>(context: InvocationContext, work: () => T): T {
    return this.#invocations.run(context, work);
  }
}

/** Invocations the host may run at once: the logger and the metrics scope their state per invocation when this is set. */
export const MAX_CONCURRENCY_VARIABLE = "AWS_LAMBDA_MAX_CONCURRENCY";

const store = new ConcurrentInvokeStore();

/**
 * Makes this process a host of concurrent invocations. Installed over any store already there: the AWS SDK, asked
 * first, may have made one for a single invocation at a time, which would share one context between them all.
 */
export function hostConcurrentInvocations(maxConcurrency: number): void {
  process.env[MAX_CONCURRENCY_VARIABLE] = String(maxConcurrency);
  awslambda.InvokeStore = store;
}

/** Runs `work` as one invocation with its own context: everything it starts, awaited or not, sees that context. */
export function asInvocation<T>(work: () => T, requestId: string = randomUUID()): T {
  return store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: requestId }, work);
}
