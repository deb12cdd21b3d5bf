// A precise interleaving, injected: an SDK middleware on the shared client that runs real operations (a follow, a
// comment, a publish...) right before one chosen DynamoDB request is sent and right after its answer came back,
// while the code that sent it waits. What the count guard's regression tests land between a recount's COUNT and its
// write (test/integration/count-guard.test.ts). The ordering harness (request-gate.ts) explores orderings in
// general; this places one by hand.
import { randomUUID } from "node:crypto";
import { dynamoDb } from "../../shared/db/client";

export interface RequestSeen {
  /** The operation, e.g. `Query`. */
  command: string;
  input: Record<string, unknown>;
}

export interface AroundRequest {
  /** Whether the chosen request was met (and `before` and `after` ran). */
  readonly fired: boolean;
  stop(): void;
}

/**
 * Runs `before` right before the request `matches` picks is sent and `after` right after its answer arrived, once:
 * for the first match after `skip` earlier ones. Requests the injected operations make themselves pass untouched.
 */
export function aroundRequest(
  matches: (request: RequestSeen) => boolean,
  steps: { before?: () => Promise<unknown>; after?: () => Promise<unknown> },
  options: { skip?: number } = {},
): AroundRequest {
  const name = `around-request-${randomUUID()}`;
  let skip = options.skip ?? 0;
  let state: "waiting" | "firing" | "fired" = "waiting";
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      const request = {
        command: String(context.commandName ?? "").replace(/Command$/, ""),
        input: args.input as Record<string, unknown>,
      };
      if (state !== "waiting" || !matches(request)) return next(args);
      if (skip > 0) {
        skip--;
        return next(args);
      }
      state = "firing";
      try {
        await steps.before?.();
        const result = await next(args);
        await steps.after?.();
        return result;
      } finally {
        state = "fired";
      }
    },
    { step: "initialize", name },
  );
  return {
    get fired() {
      return state === "fired";
    },
    stop: () => void dynamoDb.middlewareStack.remove(name),
  };
}

/** A `Select: COUNT` Query of the partition `pk` (a recount's count of followers, following rows or comments). */
export const countQueryOf =
  (pk: string) =>
  ({ command, input }: RequestSeen): boolean =>
    command === "Query" &&
    input.Select === "COUNT" &&
    JSON.stringify(input.ExpressionAttributeValues).includes(`"${pk}"`);

/** A Query of every post summary in an author's partition (`begins_with(sk, "POST#")`: the post count's recount). */
export const postSummariesQueryOf =
  (authorPk: string) =>
  ({ command, input }: RequestSeen): boolean => {
    const values = JSON.stringify(input.ExpressionAttributeValues);
    return (
      command === "Query" &&
      String(input.KeyConditionExpression).includes("begins_with") &&
      values.includes(`"${authorPk}"`) &&
      values.includes(`"POST#"`)
    );
  };

/** The Query of an account's profile and shards (`begins_with(sk, "PROFILE")`: every read of an account). */
export const accountQueryOf =
  (userId: string) =>
  ({ command, input }: RequestSeen): boolean => {
    const values = JSON.stringify(input.ExpressionAttributeValues);
    return command === "Query" && values.includes(`"USER#${userId}"`) && values.includes(`"PROFILE"`);
  };
