import type middy from "@middy/core";
import type { AnswerMetric } from "../../api/route";
import { publishBusinessMetrics, recordBusinessMetric } from "../../metrics";
import type { BusinessMetric } from "../../observability-names";
import type { HttpApiResult, StatefulEvent } from "../event";

/** The business metric an answer proves, if any: its route's event (`answerMetric`), or a 503 on any route. */
export function metricOfAnswer(
  answerMetric: AnswerMetric | undefined,
  status: number | undefined,
): BusinessMetric | undefined {
  if (status === 503) return "ServiceUnavailable";
  return answerMetric && answerMetric.status === status ? answerMetric.metric : undefined;
}

/**
 * Registered right after the request logging, so that it sees the final answer (errors already mapped), and
 * publishes everything the invocation counted, once, as it ends.
 */
export const businessMetrics = (
  answerMetric: AnswerMetric | undefined,
): middy.MiddlewareObj<StatefulEvent, HttpApiResult> => {
  const finish = (request: middy.Request<StatefulEvent, HttpApiResult>) => {
    const metric = metricOfAnswer(answerMetric, request.response?.statusCode);
    if (metric) recordBusinessMetric(metric);
    publishBusinessMetrics();
  };
  return { name: "businessMetrics", after: finish, onError: finish };
};
