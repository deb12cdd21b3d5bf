import type middy from "@middy/core";
import { logger } from "../../logger";
import type { HttpApiResult, StatefulEvent } from "../event";

/** One structured line per request, every line of it tagged with API Gateway's request id. */
export const requestLogging = (): middy.MiddlewareObj<StatefulEvent, HttpApiResult> => {
  const finish = (request: middy.Request<StatefulEvent, HttpApiResult>) => {
    logger.info("request", {
      status: request.response?.statusCode,
      durationMs: Date.now() - request.event.state.startedAt,
      userId: request.event.state?.identity?.userId,
    });
  };
  return {
    name: "requestLogging",
    before: (request) => {
      logger.setContext({
        requestId: request.event.requestContext?.requestId,
        awsRequestId: request.context.awsRequestId,
        routeKey: request.event.routeKey,
      });
    },
    after: finish,
    onError: finish,
  };
};
