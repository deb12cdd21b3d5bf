// Part 3: throughput and latency. autocannon against the local server (a separate process running the real
// handlers) beside the same DynamoDB requests made directly with the SDK through the stores, in the same run.
import autocannon from "autocannon";
import { startBenchEnvironment } from "./support/environment";
import { runLoad, type LoadResult } from "./support/load";
import { startLocalServerProcess } from "./support/local-server-process";
import { machineLine, writeSection } from "./support/report";
import { table } from "./support/stats";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = 32;

interface Scenario {
  name: string;
  kind: "read" | "write";
  /** The n-th HTTP request. */
  request(n: number): { method: "GET" | "PUT" | "POST"; path: string; token: string; body?: unknown };
  /** The n-th operation made directly with the SDK: the same requests the handler makes. */
  direct(n: number): Promise<void>;
}

function httpLoad(url: string, scenario: Scenario): Promise<LoadResult & { non2xx: number }> {
  let n = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: SECONDS,
        requests: [
          {
            setupRequest: (request) => {
              const next = scenario.request(n++);
              return {
                ...request,
                method: next.method,
                path: next.path,
                headers: { authorization: `Bearer ${next.token}`, "content-type": "application/json" },
                ...(next.body === undefined ? {} : { body: JSON.stringify(next.body) }),
              };
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error("autocannon failed"));
        resolve({
          requestsPerSecond: result.requests.average,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          errors: result.errors + result.timeouts,
          non2xx: result.non2xx,
          total: result.requests.total,
        });
      },
    );
  });
}

export async function throughput(): Promise<string> {
  const environment = await startBenchEnvironment("throughput");
  const server = await startLocalServerProcess({
    DYNAMODB_ENDPOINT: environment.endpoint,
    TABLE_NAME: environment.tableName,
    LOCAL_JWT_SECRET: environment.jwtSecret,
    // The spam guard is not what this part measures.
    COMMENT_RATE_PER_MINUTE: "1000000",
  });
  try {
    const { buildScenarios } = await import("./support/throughput-scenarios");
    const scenarios = await buildScenarios();
    const rows: (string | number)[][] = [];
    const verdicts: string[] = [];
    for (const scenario of scenarios) {
      const direct = await runLoad(SECONDS, CONNECTIONS, scenario.direct);
      const http = await httpLoad(server.url, scenario);
      const share = http.requestsPerSecond / direct.requestsPerSecond;
      const target = scenario.kind === "read" ? 0.7 : 0.6;
      verdicts.push(
        `${scenario.name}: ${(share * 100).toFixed(0)} % of direct (target ${target * 100} %: ${share >= target ? "met" : "MISSED"})`,
      );
      rows.push([
        `\`${scenario.name}\``,
        scenario.kind,
        http.requestsPerSecond.toFixed(0),
        http.p50Ms.toFixed(1),
        http.p99Ms.toFixed(1),
        `${http.non2xx + http.errors} of ${http.total}`,
        direct.requestsPerSecond.toFixed(0),
        direct.p50Ms.toFixed(1),
        direct.p99Ms.toFixed(1),
        `${(share * 100).toFixed(0)} %`,
      ]);
    }
    return [
      "## 3. Throughput and latency",
      "",
      `Command: \`npm run bench:throughput\`. ${machineLine()}`,
      "",
      `autocannon, ${CONNECTIONS} connections, ${SECONDS} s per route, against the local server in its own process (the`,
      "handlers that run in AWS, on DynamoDB Local); beside it, the same DynamoDB requests made directly with the SDK",
      `through the stores by ${CONNECTIONS} concurrent loops in the benchmark's process, for the same time. Requests per second and`,
      "latencies are machine-dependent; the share of the direct rate is the figure that matters.",
      "",
      table(
        [
          "route",
          "kind",
          "HTTP req/s",
          "HTTP p50 ms",
          "HTTP p99 ms",
          "HTTP errors",
          "direct ops/s",
          "direct p50 ms",
          "direct p99 ms",
          "HTTP ÷ direct",
        ],
        rows,
      ),
      "",
      ...verdicts.map((verdict) => `- ${verdict}`),
    ].join("\n");
  } finally {
    await server.stop();
    await environment.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeSection("throughput", await throughput());
  process.exit(0);
}
