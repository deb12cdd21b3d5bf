import { createServer, connect, type AddressInfo, type Socket } from "node:net";
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

/**
 * DynamoDB throttling as the SDK meets it in AWS: each request `decide` picks is answered ThrottlingException
 * (HTTP 400, as DynamoDB answers) inside the SDK's own retry loop (step `deserialize`, as `loseAnswersAfterWrites`),
 * so the SDK retries it first, with its own backoff (up to `maxAttempts` sends, waiting up to 1, 2, 4 s when
 * throttled), before the stores' `withRetry` sees it. `sends()` counts the sends it refused.
 */
export function throttleStorm(decide: (command: string) => boolean) {
  const name = `throttle-storm-${Math.random()}`;
  let sends = 0;
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      if (!decide(String(context.commandName ?? "").replace(/Command$/, ""))) return next(args);
      sends++;
      throw Object.assign(new Error("Rate of requests exceeds the allowed throughput."), {
        name: "ThrottlingException",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      });
    },
    { step: "deserialize", name },
  );
  return { sends: () => sends, stop: () => dynamoDb.middlewareStack.remove(name) };
}

/**
 * A slow or hung network between the functions and DynamoDB: each request `decide` picks is sent through a local
 * TCP proxy that holds every chunk the client sends for `delayMs` before passing it on to DynamoDB Local
 * (`Infinity`: never, a hung call), and passes the answer back. Only the SDK's HTTP handler can end such a
 * request, by destroying its socket; `openConnections()` tells how many the proxy still holds.
 */
export async function slowNetwork(delayMs: number, decide: (command: string) => boolean) {
  const upstream = new URL(process.env.DYNAMODB_ENDPOINT ?? "");
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    sockets.add(client);
    const server = connect(Number(upstream.port), upstream.hostname);
    const timers = new Set<NodeJS.Timeout>();
    client.on("data", (chunk) => {
      if (delayMs === Infinity) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        server.write(chunk);
      }, delayMs);
      timers.add(timer);
    });
    server.on("data", (chunk) => client.write(chunk));
    const close = () => {
      for (const timer of timers) clearTimeout(timer);
      sockets.delete(client);
      client.destroy();
      server.destroy();
    };
    client.on("close", close);
    client.on("error", close);
    server.on("close", close);
    server.on("error", close);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const port = (proxy.address() as AddressInfo).port;
  const name = `slow-network-${Math.random()}`;
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      // The HTTP request the SDK built (host and port from the client's endpoint), sent here instead.
      const request = args.request as { hostname?: string; port?: number } | undefined;
      if (request && decide(String(context.commandName ?? "").replace(/Command$/, ""))) {
        request.hostname = "127.0.0.1";
        request.port = port;
      }
      return next(args);
    },
    { step: "build", name },
  );
  return {
    openConnections: () => sockets.size,
    stop: async () => {
      dynamoDb.middlewareStack.remove(name);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

/**
 * Refuses the first TransactWriteItems whose input mentions `marker` as DynamoDB refuses one whose condition failed
 * (a cancellation with ConditionalCheckFailed), without sending it: what a write meets when an item changed after
 * it was read. `refusals()`: how many it refused (0 or 1).
 */
export function refuseOnce(marker: string) {
  let refusals = 0;
  const faults = injectFaults((command, input) => {
    if (refusals > 0 || command !== "TransactWriteItems" || !JSON.stringify(input).includes(marker)) return undefined;
    refusals++;
    const items = Array.isArray(input.TransactItems) ? input.TransactItems.length : 1;
    return Object.assign(new Error("Transaction cancelled"), {
      name: "TransactionCanceledException",
      CancellationReasons: Array.from({ length: items }, (_, i) => ({
        Code: i === 0 ? "ConditionalCheckFailed" : "None",
      })),
    });
  });
  return { stop: faults.stop, refusals: () => refusals };
}
