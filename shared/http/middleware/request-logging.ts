import type middy from "@middy/core";
import { logger } from "../../logger";
import type { HttpApiResult, StatefulEvent } from "../event";

/**
 * Tags every log line of the invocation with its Lambda context and API Gateway's request ID (`correlation_id`,
 * the `apigw-requestid` a client sees) and route, then writes one line per request with its status and duration.
 * The authentication middleware adds `user_id` once the caller is known.
 */
export const requestLogging = (): middy.MiddlewareObj<StatefulEvent, HttpApiResult> => {
  const finish = (request: middy.Request<StatefulEvent, HttpApiResult>) => {
    logger.info("request", {
      status: request.response?.statusCode,
      duration_ms: Date.now() - request.event.state.startedAt,
    });
    // Keys of this request must not reach the next one that the same environment serves.
    logger.resetKeys();
  };
  return {
    name: "requestLogging",
    before: (request) => {
      logger.addContext(request.context);
      logger.setCorrelationId(request.event.requestContext?.requestId);
      logger.appendKeys({ route: request.event.routeKey });
    },
    after: finish,
    onError: finish,
  };
};
