import type middy from "@middy/core";
import { publishBusinessMetrics, recordBusinessMetric } from "../../metrics";
import type { BusinessMetric } from "../../observability-names";
import type { HttpApiResult, StatefulEvent } from "../event";

/**
 * The business events an answer alone proves, by route key: the success status that means the event happened.
 * Events an answer cannot tell apart (a follow that changed nothing answers as one that did) are counted where
 * they happen, by the use cases (shared/observability-names.ts says which).
 */
export const answerMetrics: Readonly<Record<string, { status: number; metric: BusinessMetric }>> = {
  "POST /posts": { status: 201, metric: "PostsPublished" },
  "POST /posts/{postId}/comments": { status: 201, metric: "CommentsWritten" },
  "DELETE /me": { status: 204, metric: "AccountsDeleted" },
};

/** The business metric an answer proves, if any: its route's event, or a 503 on any route. */
export function metricOfAnswer(routeKey: string, status: number | undefined): BusinessMetric | undefined {
  if (status === 503) return "ServiceUnavailable";
  const counted = answerMetrics[routeKey];
  return counted && counted.status === status ? counted.metric : undefined;
}

/**
 * Registered right after the request logging, so that it sees the final answer (errors already mapped), and
 * publishes everything the invocation counted, once, as it ends.
 */
export const businessMetrics = (): middy.MiddlewareObj<StatefulEvent, HttpApiResult> => {
  const finish = (request: middy.Request<StatefulEvent, HttpApiResult>) => {
    const metric = metricOfAnswer(request.event.routeKey, request.response?.statusCode);
    if (metric) recordBusinessMetric(metric);
    publishBusinessMetrics();
  };
  return { name: "businessMetrics", after: finish, onError: finish };
};
