// Part 6: what logs, metrics and traces cost a cold start. The floor alone and with each Powertools utility, and
// POST /posts as deployed (Logger and Metrics) with and without the Tracer, each bundled as the stack bundles it
// and measured right after the floor, as part 1 measures the functions.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundle, measure, type Measurement } from "./cold-start";
import { startBenchEnvironment } from "./support/environment";
import { machineLine, writeSection } from "./support/report";
import { kb, ratio, table } from "./support/stats";
import { samplesForAllRoutes, seedFixtures, toIncomingRequest } from "../test/support/route-samples";

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 10);
const root = resolve(import.meta.dirname, "..");
const outDir = join(root, ".bench/cold-start");
/** The bar: every function's import (load) time within 1.25 times the floor's. */
const IMPORT_TIME_BAR = 1.25;

const variants = [
  { name: "floor + Logger", entry: "bench/support/observability/floor-with-logger.ts", event: "floor" },
  { name: "floor + Metrics", entry: "bench/support/observability/floor-with-metrics.ts", event: "floor" },
  { name: "floor + Tracer (X-Ray SDK)", entry: "bench/support/observability/floor-with-tracer.ts", event: "floor" },
  {
    name: "`POST /posts` as deployed (its logs and EMF metrics)",
    entry: "functions/http/post-posts.ts",
    event: "post",
  },
  { name: "`POST /posts` + Tracer", entry: "bench/support/observability/post-posts-with-tracer.ts", event: "post" },
] as const;

export async function observabilityCost(): Promise<string> {
  const environment = await startBenchEnvironment("observability");
  try {
    const { prepareInvocation } = await import("../infra/local/server");
    const fixtures = await seedFixtures();
    const sample = samplesForAllRoutes(fixtures).find((s) => s.routeKey === "POST /posts")!;
    const prepared = prepareInvocation(toIncomingRequest(sample.request), { jwtSecret: environment.jwtSecret });
    if (prepared.kind !== "invoke") throw new Error("POST /posts: the sample request was refused");
    const events = {
      floor: join(outDir, "observability-floor-event.json"),
      post: join(outDir, "observability-post-event.json"),
    };
    const floor = await bundle("floor", "bench/support/floor-handler.ts");
    writeFileSync(events.floor, "{}");
    writeFileSync(events.post, JSON.stringify(prepared.event));

    const rows: (string | number)[][] = [];
    const loadRatios = new Map<string, number>();
    for (const variant of variants) {
      const floorRun: Measurement = await measure(floor.file, events.floor);
      const bundled = await bundle(`observability-${variants.indexOf(variant)}`, variant.entry);
      const result = await measure(bundled.file, events[variant.event]);
      loadRatios.set(variant.name, result.loadMs / floorRun.loadMs);
      rows.push([
        variant.name,
        result.status,
        kb(bundled.bytes),
        ratio(bundled.bytes, floor.bytes),
        `${result.loadMs.toFixed(0)} / ${floorRun.loadMs.toFixed(0)}`,
        ratio(result.loadMs, floorRun.loadMs),
        `${result.medianMs.toFixed(0)} / ${floorRun.medianMs.toFixed(0)}`,
        ratio(result.medianMs, floorRun.medianMs),
      ]);
    }
    const verdict = (name: string) => {
      const value = loadRatios.get(name)!;
      return `${value.toFixed(2)} (${value <= IMPORT_TIME_BAR ? "within" : "over"} the bar of ${IMPORT_TIME_BAR})`;
    };
    return [
      "## 6. Cost of logs, metrics and traces",
      "",
      `Command: \`npm run bench:observability\`. ${machineLine()}`,
      "",
      "The floor of part 1 alone (a bare GetItem handler), then with each Powertools utility as the functions would use",
      "it, and `POST /posts` as deployed (since issue 20 its log lines and EMF metrics in Powertools' format come from",
      "shared/logger.ts and shared/metrics.ts, not the Powertools packages) without and with Powertools Tracer on the shared",
      `DynamoDB client; each bundled as the stack bundles it and measured right after the floor: medians over ${RUNS} fresh`,
      "processes. Load is the import of the bundle (Lambda's init), wall the whole process from spawn to exit. The bar",
      `(issue 14): every function's import time within ${IMPORT_TIME_BAR} × the floor's. Outside Lambda the tracer sends nothing:`,
      "its figures are what importing and setting it up costs, the least it would add.",
      "",
      `Import time ÷ floor: \`POST /posts\` as deployed ${verdict(variants[3].name)}; with the Tracer ${verdict(variants[4].name)}.`,
      "",
      table(
        [
          "bundle",
          "status",
          "bundle KB",
          "size ÷ floor",
          "load ms: bundle / floor",
          "load ÷ floor",
          "wall ms: bundle / floor",
          "wall ÷ floor",
        ],
        rows,
      ),
    ].join("\n");
  } finally {
    await environment.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeSection("observability", await observabilityCost());
  process.exit(0);
}
