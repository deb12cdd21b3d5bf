// Part 1: cold start. Every function of the stack bundled as the CDK stack bundles it, loaded by a fresh
// Node process that answers one event against DynamoDB Local; beside each, the floor (a bare GetItem handler).
import { spawn } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleAsDeployed, writeRunTimeFilesBeside } from "../infra/bundle-as-deployed";
import type { RunTimeFiles } from "../infra/bundling";
import { MAX_CONCURRENCY_VARIABLE } from "../infra/local/invoke-store";
import { startStepFunctionsEndpoint } from "../test/support/step-functions-endpoint";
import { fallbackRoute, routeName, routes } from "../infra/routes";
import { claimedCosts } from "./support/claimed-costs";
import { startBenchEnvironment } from "./support/environment";
import { machineLine, writeSection } from "./support/report";
import { fallbackSample, samplesForAllRoutes, seedFixtures, toIncomingRequest } from "../test/support/route-samples";
import { kb, median, ratio, table } from "./support/stats";

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 10);
const root = resolve(import.meta.dirname, "..");
const outDir = join(root, ".bench/cold-start");

/** Bundles `entry` as the stack does, into `.bench/cold-start/<name>/index.mjs`. */
export async function bundle(
  name: string,
  entry: string,
  runTimeFiles: RunTimeFiles = {},
): Promise<{ file: string; bytes: number }> {
  const file = join(outDir, name, "index.mjs");
  await bundleAsDeployed(join(root, entry), file);
  writeRunTimeFilesBeside(runTimeFiles, root, join(outDir, name));
  return { file, bytes: statSync(file).size };
}

interface Invocation {
  wallMs: number;
  status: number;
  loadMs: number;
  answerMs: number;
}

function invokeOnce(file: string, eventFile: string, env: Record<string, string>): Promise<Invocation> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    // A fresh classic Lambda environment: one invocation at a time (this process hosts concurrent ones locally),
    // its metrics published (this process silences its own).
    const { [MAX_CONCURRENCY_VARIABLE]: _concurrent, POWERTOOLS_METRICS_DISABLED: _silenced, ...ownEnv } = process.env;
    const child = spawn(
      process.execPath,
      ["--enable-source-maps", join(root, "bench/support/invoke-once.mjs"), file, eventFile],
      {
        env: { ...ownEnv, ...env },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${file} exited with ${code}`));
      // The last line: the function's own output (its metrics' EMF line) comes before it.
      const reported = JSON.parse(out.trim().split("\n").at(-1)!) as {
        status: number;
        loadMs: number;
        answerMs: number;
      };
      resolvePromise({ wallMs, status: reported.status, loadMs: reported.loadMs, answerMs: reported.answerMs });
    });
  });
}

export interface Measurement {
  medianMs: number;
  loadMs: number;
  answerMs: number;
  status: number;
}

/** Medians over RUNS fresh processes that each load the bundle and answer the event once. */
export async function measure(file: string, eventFile: string, env: Record<string, string> = {}): Promise<Measurement> {
  const runs: Invocation[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await invokeOnce(file, eventFile, env));
  return {
    medianMs: median(runs.map((run) => run.wallMs)),
    loadMs: median(runs.map((run) => run.loadMs)),
    answerMs: median(runs.map((run) => run.answerMs)),
    // The first run's status: later runs of a DELETE repeat an event whose target is gone.
    status: runs[0]!.status,
  };
}

export async function coldStart(): Promise<string> {
  const environment = await startBenchEnvironment("cold-start");
  try {
    const { prepareInvocation } = await import("../infra/local/server");
    mkdirSync(outDir, { recursive: true });
    const fixtures = await seedFixtures();
    const functions = [
      ...samplesForAllRoutes(fixtures).map((sample) => {
        const route = routes.find((r) => `${r.method} ${r.path}` === sample.routeKey)!;
        return { ...sample, name: routeName(route), runTimeFiles: route };
      }),
      {
        routeKey: "$default",
        entry: fallbackRoute.entry,
        request: fallbackSample(fixtures),
        name: "RouteNotFound",
        runTimeFiles: fallbackRoute,
      },
    ];

    // As deployed, the cleanup route hands runs to Step Functions: a stub answers its StartExecution here.
    const stepFunctions = await startStepFunctionsEndpoint();
    const deployedEnv = {
      CLEANUP_RUNNER: "step-functions",
      CLEANUP_STATE_MACHINE_ARN: "arn:aws:states:local:000000000000:stateMachine:bench",
      AWS_ENDPOINT_URL_SFN: stepFunctions.url,
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
    };
    const floor = await bundle("floor", "bench/support/floor-handler.ts");
    const floorEvent = join(outDir, "floor-event.json");
    writeFileSync(floorEvent, "{}");
    // The floor is measured between the functions too, so drift of the machine over the run shows.
    const floorRuns: Measurement[] = [];
    const rows: (string | number)[][] = [];
    let worstTime = 0;
    let worstLoad = 0;
    let worstTimeAtSameRequests = 0;
    let worstSize = 0;
    for (const fn of functions) {
      floorRuns.push(await measure(floor.file, floorEvent));
      const prepared = prepareInvocation(toIncomingRequest(fn.request), { jwtSecret: environment.jwtSecret });
      if (prepared.kind !== "invoke") throw new Error(`${fn.routeKey}: the sample request was refused`);
      const eventFile = join(outDir, `${fn.name}.json`);
      writeFileSync(eventFile, JSON.stringify(prepared.event));
      const bundled = await bundle(fn.name, fn.entry, fn.runTimeFiles);
      const result = await measure(bundled.file, eventFile, deployedEnv);
      const requests = claimedCosts[fn.routeKey]?.requests ?? 1;
      const sameRequests =
        requests > 1 ? (await measure(floor.file, floorEvent, { FLOOR_REQUESTS: String(requests) })).medianMs : null;
      const floorRun = floorRuns.at(-1)!;
      const floorMs = floorRun.medianMs;
      worstTime = Math.max(worstTime, result.medianMs / floorMs);
      worstLoad = Math.max(worstLoad, result.loadMs / floorRun.loadMs);
      worstTimeAtSameRequests = Math.max(worstTimeAtSameRequests, result.medianMs / (sameRequests ?? floorMs));
      worstSize = Math.max(worstSize, bundled.bytes / floor.bytes);
      rows.push([
        `\`${fn.routeKey}\``,
        result.status,
        kb(bundled.bytes),
        ratio(bundled.bytes, floor.bytes),
        result.medianMs.toFixed(0),
        floorMs.toFixed(0),
        ratio(result.medianMs, floorMs),
        `${result.loadMs.toFixed(0)} / ${floorRun.loadMs.toFixed(0)}`,
        `${result.answerMs.toFixed(0)} / ${floorRun.answerMs.toFixed(0)}`,
        requests,
        sameRequests === null ? "(as floor)" : `${sameRequests.toFixed(0)} → ${ratio(result.medianMs, sameRequests)}`,
      ]);
    }
    stepFunctions.close();
    const verdict = (value: number, target: number) =>
      value <= target ? `met (worst ${value.toFixed(2)})` : `MISSED (worst ${value.toFixed(2)})`;
    return [
      "## 1. Cold start",
      "",
      `Command: \`npm run bench:cold-start\`. ${machineLine()}`,
      "",
      `Each function is bundled exactly as the CDK stack bundles it (\`infra/bundling.ts\`: esbuild, minified, ESM,`,
      `\`mainFields: module,main\`), then a fresh Node ${process.version} process loads it and answers one event`,
      `against DynamoDB Local; the time is the median wall time from spawn to exit over ${RUNS} runs. The floor is a bare`,
      `handler making one GetItem with the same SDK, bundled the same way (${kb(floor.bytes)} KB), measured right before`,
      `each function. Targets: import (load) time ≤ 1.25 × floor's (issue 14): ${verdict(worstLoad, 1.25)}; time ≤ 1.25 × floor:`,
      `${verdict(worstTime, 1.25)}; size ≤ 1.3 × floor: ${verdict(worstSize, 1.3)}. Every function now bundles Powertools Logger and`,
      "Metrics (part 6 measures what each adds).",
      "",
      "Where the time misses, the cause is the round trips a route needs by design (the caller's account, then its own",
      "reads and writes: docs/data-model.md), each slower on a cold process than on a warm one. Against a floor that makes",
      `as many GetItems as the function makes requests, the worst ratio is ${worstTimeAtSameRequests.toFixed(2)} (target 1.25: ${worstTimeAtSameRequests <= 1.25 ? "met" : "MISSED"}).`,
      "",
      table(
        [
          "function",
          "status",
          "bundle KB",
          "size ÷ floor",
          "median ms (machine)",
          "floor ms (machine)",
          "time ÷ floor",
          "load ms: fn / floor",
          "answer ms: fn / floor",
          "DynamoDB requests",
          "floor with as many requests: ms → ratio",
        ],
        rows,
      ),
    ].join("\n");
  } finally {
    await environment.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeSection("cold-start", await coldStart());
  process.exit(0);
}
