import type { Context } from "aws-lambda";
import { withinDeadline } from "./deadline";
import { logger } from "./logger";
import { publishBusinessMetrics } from "./metrics";

/**
 * What the HTTP middleware stack does for the routes, for a function that is not one (the cleanup's steps): its
 * log lines carry the Lambda context (function name, request ID, cold start), its work runs under the invocation's
 * deadline (shared/deadline.ts: every DynamoDB call and retry ends in time for the step to fail on its own, and
 * its budget of work counts back from it), and what it counted is published once, as it ends, whether it answered
 * or threw.
 */
export function observedStep<E, R>(step: (event: E, context?: Context) => Promise<R>) {
  return async (event: E, context?: Context): Promise<R> => {
    if (context) logger.addContext(context);
    try {
      return await withinDeadline(context, () => step(event, context));
    } finally {
      publishBusinessMetrics();
      logger.resetKeys();
    }
  };
}
