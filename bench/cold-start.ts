// Part 1: cold start. Every function of the stack bundled as the CDK stack bundles it, loaded by a fresh
// Node process that answers one event against DynamoDB Local; beside each, the floor (a bare GetItem handler).
import { spawn } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { lambdaBundling } from "../infra/bundling";
import { fallbackRoute, routeName, routes } from "../infra/routes";
import { startBenchEnvironment } from "./support/environment";
import { machineLine, writeSection } from "./support/report";
import { fallbackSample, samplesForAllRoutes, seedFixtures, toIncomingRequest } from "./support/samples";
import { kb, median, ratio, table } from "./support/stats";

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 10);
const root = resolve(import.meta.dirname, "..");
const outDir = join(root, ".bench/cold-start");

async function bundle(name: string, entry: string): Promise<{ file: string; bytes: number }> {
  const file = join(outDir, name, "index.mjs");
  await build({
    entryPoints: [join(root, entry)],
    outfile: file,
    bundle: true,
    platform: "node",
    target: lambdaBundling.target,
    format: lambdaBundling.format,
    minify: lambdaBundling.minify,
    sourcemap: lambdaBundling.sourceMap,
    sourcesContent: lambdaBundling.sourcesContent,
    mainFields: [...lambdaBundling.mainFields],
    banner: { js: lambdaBundling.banner },
    metafile: true,
    logLevel: "error",
  });
  return { file, bytes: statSync(file).size };
}

function invokeOnce(file: string, eventFile: string): Promise<{ wallMs: number; status: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--enable-source-maps", join(root, "bench/support/invoke-once.mjs"), file, eventFile], {
      env: process.env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${file} exited with ${code}`));
      resolvePromise({ wallMs, status: (JSON.parse(out) as { status: number }).status });
    });
  });
}

async function measure(file: string, eventFile: string): Promise<{ medianMs: number; status: number }> {
  const times: number[] = [];
  let status = 0;
  for (let i = 0; i < RUNS; i++) {
    const run = await invokeOnce(file, eventFile);
    times.push(run.wallMs);
    status = run.status;
  }
  return { medianMs: median(times), status };
}

export async function coldStart(): Promise<string> {
  const environment = await startBenchEnvironment("cold-start");
  try {
    const { prepareInvocation } = await import("../infra/local/server");
    mkdirSync(outDir, { recursive: true });
    const fixtures = await seedFixtures();
    const functions = [
      ...samplesForAllRoutes(fixtures).map((sample) => ({ ...sample, name: routeName(routes.find((r) => `${r.method} ${r.path}` === sample.routeKey)!) })),
      { routeKey: "$default", entry: fallbackRoute.entry, request: fallbackSample(fixtures), name: "RouteNotFound" },
    ];

    const floor = await bundle("floor", "bench/support/floor-handler.ts");
    const floorEvent = join(outDir, "floor-event.json");
    writeFileSync(floorEvent, "{}");
    // The floor is measured between the functions too, so drift of the machine over the run shows.
    const floorTimes: number[] = [];
    const rows: (string | number)[][] = [];
    let worstTime = 0;
    let worstSize = 0;
    for (const fn of functions) {
      floorTimes.push((await measure(floor.file, floorEvent)).medianMs);
      const prepared = prepareInvocation(toIncomingRequest(fn.request), { jwtSecret: environment.jwtSecret });
      if (prepared.kind !== "invoke") throw new Error(`${fn.routeKey}: the sample request was refused`);
      const eventFile = join(outDir, `${fn.name}.json`);
      writeFileSync(eventFile, JSON.stringify(prepared.event));
      const bundled = await bundle(fn.name, fn.entry);
      const result = await measure(bundled.file, eventFile);
      const floorMs = floorTimes.at(-1)!;
      worstTime = Math.max(worstTime, result.medianMs / floorMs);
      worstSize = Math.max(worstSize, bundled.bytes / floor.bytes);
      rows.push([
        `\`${fn.routeKey}\``,
        result.status,
        kb(bundled.bytes),
        ratio(bundled.bytes, floor.bytes),
        result.medianMs.toFixed(0),
        floorMs.toFixed(0),
        ratio(result.medianMs, floorMs),
      ]);
    }
    const verdict = (value: number, target: number) => (value <= target ? `met (worst ${value.toFixed(2)})` : `MISSED (worst ${value.toFixed(2)})`);
    return [
      "## 1. Cold start",
      "",
      `Command: \`npm run bench:cold-start\`. ${machineLine()}`,
      "",
      `Each function is bundled exactly as the CDK stack bundles it (\`infra/bundling.ts\`: esbuild, minified, ESM,`,
      `\`mainFields: module,main\`), then a fresh Node ${process.version} process loads it and answers one event`,
      `against DynamoDB Local; the time is the median wall time from spawn to exit over ${RUNS} runs. The floor is a bare`,
      `handler making one GetItem with the same SDK, bundled the same way (${kb(floor.bytes)} KB), measured right before`,
      `each function. Targets: time ≤ 1.25 × floor: ${verdict(worstTime, 1.25)}; size ≤ 1.3 × floor: ${verdict(worstSize, 1.3)}.`,
      "",
      table(["function", "status", "bundle KB", "size ÷ floor", "median ms (machine)", "floor ms (machine)", "time ÷ floor"], rows),
    ].join("\n");
  } finally {
    await environment.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeSection("cold-start", await coldStart());
  process.exit(0);
}
