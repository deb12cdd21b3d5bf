import { percentile } from "./stats";

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  total: number;
}

/**
 * Calls `operation(i)` with `connections` concurrent loops for `seconds`, as autocannon does over HTTP: the
 * same shape of load, made directly with the SDK, so the two can be compared side by side.
 */
export async function runLoad(
  seconds: number,
  connections: number,
  operation: (i: number) => Promise<void>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const i = next++;
        const begin = performance.now();
        try {
          await operation(i);
        } catch {
          errors++;
        }
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    requestsPerSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
    total: latencies.length,
  };
}
