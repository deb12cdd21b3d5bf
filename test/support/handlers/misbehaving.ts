// A test-only Lambda handler that does what real handlers must never do, so the local host's answers to it can be
// checked (test/integration/local-host.test.ts serves it with a route table of its own).
import type { Context } from "aws-lambda";
import type { HttpApiEvent, HttpApiResult } from "../../../shared/http/event";

/** A result whose serialized JSON (what Lambda measures) is exactly `bytes` long; its body a JSON string. */
export function resultOfSize(bytes: number): HttpApiResult {
  const empty = JSON.stringify({ statusCode: 200, body: JSON.stringify("") }).length;
  return { statusCode: 200, body: JSON.stringify("x".repeat(bytes - empty)) };
}

export const handler = async (event: HttpApiEvent, context: Context): Promise<HttpApiResult> => {
  switch (event.rawPath) {
    case "/test/throws":
      throw new Error("failed at storage key USER#secret");
    case "/test/slow":
      // Runs two seconds past the function's timeout, then answers as if nothing happened.
      await new Promise((resolve) => setTimeout(resolve, context.getRemainingTimeInMillis() + 2_000));
      return { statusCode: 200, body: JSON.stringify({ late: true }) };
    case "/test/remaining":
      return {
        statusCode: 200,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ remainingMs: context.getRemainingTimeInMillis() }),
      };
    case "/test/sized":
      return resultOfSize(Number(event.queryStringParameters?.bytes));
    case "/test/own-cors":
      return { statusCode: 200, headers: { "access-control-allow-origin": "*" }, body: "{}" };
    default:
      return { statusCode: 200, body: "{}" };
  }
};
