import type { Context } from "aws-lambda";
import { logger } from "./logger";
import { publishBusinessMetrics } from "./metrics";

/**
 * What the HTTP middleware stack does for the routes, for a function that is not one (the cleanup's steps): its
 * log lines carry the Lambda context (function name, request ID, cold start), and what it counted is published
 * once, as it ends, whether it answered or threw.
 */
export function observedStep<E, R>(step: (event: E, context?: Context) => Promise<R>) {
  return async (event: E, context?: Context): Promise<R> => {
    if (context) logger.addContext(context);
    try {
      return await step(event, context);
    } finally {
      publishBusinessMetrics();
      logger.resetKeys();
    }
  };
}
