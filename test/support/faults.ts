import { dynamoDb } from "../../shared/db/client";

/**
 * Makes DynamoDB fail the way it can in AWS (conflicts, throttling, a crash mid-way) where DynamoDB Local
 * never would: `decide` sees each request's command name and input and returns an error to throw instead of
 * sending it, or undefined to let it through.
 */
export function injectFaults(decide: (command: string, input: Record<string, unknown>) => Error | undefined) {
  const name = `faults-${Math.random()}`;
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      const fault = decide(
        String(context.commandName ?? "").replace(/Command$/, ""),
        args.input as Record<string, unknown>,
      );
      if (fault) throw fault;
      return next(args);
    },
    { step: "initialize", name },
  );
  return { stop: () => dynamoDb.middlewareStack.remove(name) };
}

/** What DynamoDB throws when another transaction holds an item: the retry budget rides it out, or 503. */
export function transactionConflict(items: number): Error {
  return Object.assign(new Error("Transaction cancelled"), {
    name: "TransactionCanceledException",
    CancellationReasons: Array.from({ length: items }, () => ({ Code: "TransactionConflict" })),
  });
}

/** What DynamoDB answers when it is busy (after the SDK's own retries): throttling, its request limit, its own error. */
export function busy(
  name:
    "ThrottlingException" | "ProvisionedThroughputExceededException" | "RequestLimitExceeded" | "InternalServerError",
): Error {
  return Object.assign(new Error(`injected ${name}`), { name });
}

/** A failure no retry can fix, standing in for a crash of the function at that point. */
export function crash(): Error {
  return Object.assign(new Error("injected crash"), { name: "InjectedCrash" });
}

/**
 * A request that reaches DynamoDB and is applied, whose answer then never arrives (a socket timeout): `decide` sees
 * each attempt's command and input and says whether to lose its answer. Placed inside the SDK's own retry loop
 * (step `deserialize`), so the SDK sends the very same request again, as it does in AWS after a timeout.
 */
export function loseAnswersAfterWrites(decide: (command: string, input: Record<string, unknown>) => boolean) {
  const name = `lost-answers-${Math.random()}`;
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (decide(String(context.commandName ?? "").replace(/Command$/, ""), args.input as Record<string, unknown>)) {
        throw Object.assign(new Error("injected socket timeout after the write was applied"), {
          name: "TimeoutError",
          $metadata: {},
        });
      }
      return result;
    },
    { step: "deserialize", name },
  );
  return { stop: () => dynamoDb.middlewareStack.remove(name) };
}

/** DynamoDB at a slow pace: each request `decide` picks waits `delayMs` before it is sent (a hot partition, a far region). */
export function slowDown(delayMs: number, decide: (command: string) => boolean) {
  const name = `slow-${Math.random()}`;
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      if (decide(String(context.commandName ?? "").replace(/Command$/, "")))
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      return next(args);
    },
    { step: "initialize", name },
  );
  return { stop: () => dynamoDb.middlewareStack.remove(name) };
}
