import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { type BusinessMetric, METRICS_NAMESPACE, SERVICE_NAME } from "./observability-names";

// Business metrics in CloudWatch's Embedded Metric Format: one JSON line per invocation in the function's log,
// which CloudWatch turns into metrics (namespace METRICS_NAMESPACE, dimension `service`) without an API call or a
// grant. Locally the lines go to the server's output; POWERTOOLS_METRICS_DISABLED=true silences them (the tests).
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

/** Counts one business event (or `count` of them) in the running invocation; published when it ends. */
export function recordBusinessMetric(name: BusinessMetric, count = 1): void {
  metrics.addMetric(name, MetricUnit.Count, count);
}

/**
 * Writes the invocation's metrics as one EMF line and forgets them: once at the end of every invocation
 * (the HTTP middleware stack does it for the routes). An invocation that counted nothing writes nothing.
 */
export function publishBusinessMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
