// The floor plus Powertools Metrics as the functions use it: one business metric, published as one EMF line.
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { handler as floor } from "../floor-handler";

const metrics = new Metrics({ namespace: "Bench", serviceName: "bench" });

export const handler = async () => {
  const result = await floor();
  metrics.addMetric("Answers", MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  return result;
};
