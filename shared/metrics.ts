import { invocationScoped } from "./invocation-scope";
import { type BusinessMetric, METRICS_NAMESPACE, SERVICE_NAME } from "./observability-names";

// Business metrics in CloudWatch's Embedded Metric Format: one JSON line per invocation in the function's log,
// which CloudWatch turns into metrics (namespace METRICS_NAMESPACE, dimension `service`) without an API call or a
// grant. Locally the lines go to the server's output; POWERTOOLS_METRICS_DISABLED=true silences them (the tests).
// The line is Powertools Metrics' own, field for field (test/unit/observability-format.test.ts compares them): it was
// Powertools until issue 20, 10 KB of every bundle for counting a few events. Where invocations run concurrently in
// one process, each counts in its own InvokeStore context (invocation-scope.ts).

/** CloudWatch takes at most 100 metrics, and 100 values of one metric, in one EMF line. */
const MAX_PER_LINE = 100;

interface Counted {
  name: string;
  value: number | number[];
}

const counted = invocationScoped<Map<string, Counted>>("metrics.counted", { fresh: () => new Map() });

/** POWERTOOLS_METRICS_DISABLED, read as Powertools read it (true, 1, yes, on...); unset: published. */
function disabled(): boolean {
  const value = process.env.POWERTOOLS_METRICS_DISABLED?.trim().toLowerCase();
  return value !== undefined && ["1", "y", "yes", "t", "true", "on"].includes(value);
}

/** Counts one business event (or `count` of them) in the running invocation; published when it ends. */
export function recordBusinessMetric(name: BusinessMetric, count = 1): void {
  if (counted.get().size >= MAX_PER_LINE) publishBusinessMetrics();
  const metrics = counted.get();
  const metric = metrics.get(name);
  if (!metric) {
    metrics.set(name, { name, value: count });
    return;
  }
  metric.value = Array.isArray(metric.value) ? [...metric.value, count] : [metric.value, count];
  if (metric.value.length === MAX_PER_LINE) publishBusinessMetrics();
}

/**
 * Writes the invocation's metrics as one EMF line and forgets them: once at the end of every invocation
 * (the HTTP middleware stack does it for the routes). An invocation that counted nothing writes nothing.
 */
export function publishBusinessMetrics(): void {
  const metrics = [...counted.get().values()];
  counted.reset();
  if (metrics.length === 0 || disabled()) return;
  const line = {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [["service"]],
          Metrics: metrics.map(({ name }) => ({ Name: name, Unit: "Count" })),
        },
      ],
    },
    service: SERVICE_NAME,
    ...Object.fromEntries(metrics.map(({ name, value }) => [name, value])),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
