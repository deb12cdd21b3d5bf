// Part 1: cold start. Every function of the stack bundled as the stack bundles it (infra/bundling.ts), imported by
// fresh Node processes as Lambda's init imports it, each answering one event against DynamoDB Local; beside each,
// in the same iterations, the two floors: a bare GetItem handler bundled with the SDK's defaults (the naive floor),
// and the same with the environment-only credential provider.
import { spawn } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import {
  bundleAllAsDeployed,
  type DeployedFunction,
  deployedFunctions,
  filesOf,
  totalBytes,
} from "../infra/bundle-as-deployed";
import { bundleFunction, environmentCredentialsAlias, lambdaBuildOptions } from "../infra/bundling";
import { MAX_CONCURRENCY_VARIABLE } from "../infra/local/invoke-store";
import { startStepFunctionsEndpoint } from "../test/support/step-functions-endpoint";
import { startBenchEnvironment } from "./support/environment";
import { machineLine, writeSection } from "./support/report";
import { fallbackSample, samplesForAllRoutes, seedFixtures, toIncomingRequest } from "../test/support/route-samples";
import { kb, median, ratio, table } from "./support/stats";
import type { RunTicket } from "../shared/domain/cleanup";

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 9);
/** Only the functions whose name matches (e.g. `BENCH_COLD_ONLY='GetMe|Cleanup'`); every function by default. */
const ONLY = process.env.BENCH_COLD_ONLY ? new RegExp(process.env.BENCH_COLD_ONLY) : null;
const root = resolve(import.meta.dirname, "..");
const outDir = join(root, ".bench/cold-start");
const floorEntry = "bench/support/floor-handler.ts";
/** Issue 20's targets: every function's bundle and import within these multiples of the naive floor's. */
const SIZE_TARGET = 0.8;
const IMPORT_TARGET = 0.9;

/** Bundles `entry` as the stack does, into `.bench/cold-start/<name>/`: its `index.mjs` and what its init loads. */
export async function bundle(name: string, entry: string): Promise<{ file: string; bytes: number }> {
  const dir = join(outDir, name);
  const { init } = filesOf(await bundleFunction({ entry }, dir));
  return { file: join(dir, "index.mjs"), bytes: totalBytes(init) };
}

/**
 * The floor as a function was bundled before issue 20 (NodejsFunction's esbuild: one file, the same minification,
 * ESM and main fields), with the SDK's default credential chain (naive) or the environment-only provider (trimmed).
 */
async function floorBundle(name: string, credentials: "default chain" | "environment only") {
  const dir = join(outDir, name);
  await build({
    ...lambdaBuildOptions,
    splitting: false,
    plugins: [],
    alias: credentials === "environment only" ? { ...environmentCredentialsAlias } : {},
    entryPoints: { index: floorEntry },
    outdir: dir,
  });
  const file = join(dir, "index.mjs");
  return { file, bytes: statSync(file).size };
}

interface Invocation {
  status: number | string;
  loadMs: number;
  /** The CPU time (user + system) the import took: less sensitive to other processes than its wall time. */
  loadCpuMs: number;
  answerMs: number;
}

/**
 * A fresh classic Lambda environment: one invocation at a time (this process hosts concurrent ones locally), its
 * metrics published (this process silences its own).
 */
function lambdaEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const { [MAX_CONCURRENCY_VARIABLE]: _concurrent, POWERTOOLS_METRICS_DISABLED: _silenced, ...ownEnv } = process.env;
  return { ...ownEnv, ...env };
}

function invokeOnce(file: string, eventFile: string, env: Record<string, string>): Promise<Invocation> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ["--enable-source-maps", join(root, "bench/support/invoke-once.mjs"), file, eventFile],
      { env: lambdaEnvironment(env), stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`${file} exited with ${code}`));
      // The last line: the function's own output (its metrics' EMF line) comes before it.
      resolvePromise(JSON.parse(out.trim().split("\n").at(-1)!) as Invocation);
    });
  });
}

/** The files a bundle's import loads (index.mjs, its chunks, any a top-level `await import()` loads), in bytes. */
function bytesLoadedAtInit(file: string, env: Record<string, string>): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(root, "bench/support/loaded-at-init.mjs"), file], {
      env: lambdaEnvironment(env),
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`${file} exited with ${code}`));
      const loaded = JSON.parse(out.trim().split("\n").at(-1)!) as string[];
      resolvePromise(loaded.reduce((sum, path) => sum + statSync(path).size, 0));
    });
  });
}

export interface Measurement {
  medianMs: number;
  loadMs: number;
  answerMs: number;
  status: number | string;
}

/** Medians over RUNS fresh processes that each load the bundle and answer the event once (part 6 uses it). */
export async function measure(file: string, eventFile: string, env: Record<string, string> = {}): Promise<Measurement> {
  const runs: (Invocation & { wallMs: number })[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const run = await invokeOnce(file, eventFile, env);
    runs.push({ ...run, wallMs: performance.now() - started });
  }
  return {
    medianMs: median(runs.map((run) => run.wallMs)),
    loadMs: median(runs.map((run) => run.loadMs)),
    answerMs: median(runs.map((run) => run.answerMs)),
    status: runs[0]!.status,
  };
}

interface Side {
  file: string;
  event: string;
  env: Record<string, string>;
  /** Run before each invocation: writes an event that is still valid (a cleanup step's running run). */
  prepare?: () => Promise<void>;
}

interface Paired {
  status: number | string;
  /** Median import (load) ms of each side, wall and CPU. */
  loadMs: number[];
  loadCpuMs: number[];
  answerMs: number[];
  /** The median over the iterations of side a's import ÷ side b's in the same iteration (wall time). */
  loadRatio(a: number, b: number): number;
  /** The same of their CPU times. */
  loadCpuRatio(a: number, b: number): number;
}

/**
 * RUNS iterations, each invoking every side once in a fresh process, back to back; the order turns each iteration,
 * so that the machine's load weighs on every side alike. Ratios are taken within an iteration, then their median.
 */
async function measurePaired(sides: Side[]): Promise<Paired> {
  const runs: Invocation[][] = sides.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    const order = sides.map((_, index) => (index + i) % sides.length);
    for (const index of order) {
      const side = sides[index]!;
      await side.prepare?.();
      runs[index]!.push(await invokeOnce(side.file, side.event, side.env));
    }
  }
  const loads = runs.map((side) => side.map((run) => run.loadMs));
  const cpu = runs.map((side) => side.map((run) => run.loadCpuMs));
  const pairedRatio = (values: number[][]) => (a: number, b: number) =>
    median(values[a]!.map((ms, i) => ms / values[b]![i]!));
  return {
    // The first side's first answer: later runs of a DELETE repeat an event whose target is gone.
    status: runs[0]![0]!.status,
    loadMs: loads.map(median),
    loadCpuMs: cpu.map(median),
    answerMs: runs.map((side) => median(side.map((run) => run.answerMs))),
    loadRatio: pairedRatio(loads),
    loadCpuRatio: pairedRatio(cpu),
  };
}

/** Prints a line of the run as it goes (the section is written to docs/performance.md at the end). */
const say = (line: string) => process.stdout.write(`${line}\n`);
const loadText = (values: number[]) => values.map((value) => value.toFixed(2)).join(", ");

/** What a function must answer its sample event with: its route's success, the fallback's 404, a step's data. */
function answers(fn: DeployedFunction, status: number | string): boolean {
  if (fn.kind === "cleanup-step") return status === "ok";
  if (fn.kind === "fallback") return status === 404;
  // The run sample's run holds the runs' lock here (no state machine runs it): the undo then answers 409.
  if (isUndo(fn) && status === 409) return true;
  return typeof status === "number" && status >= 200 && status < 300;
}

const isUndo = (fn: DeployedFunction) => fn.kind === "route" && fn.route.path.endsWith("/restore");

/** A bar's verdict for one row: the ratio, its bar, met or MISSED. */
const bar = (value: number, target: number) =>
  `${value.toFixed(2)} ${value <= target ? "≤" : ">"} ${target}: ${value <= target ? "met" : "MISSED"}`;

export async function coldStart(): Promise<{ section: string; failures: string[] }> {
  const loadAtStart = loadavg();
  const startedAt = new Date().toISOString();
  say(`bench:cold-start: load average (1, 5, 15 min) at its start, ${startedAt}: ${loadText(loadAtStart)}`);
  if (loadAtStart[0]! >= 1)
    say("  not a quiet machine (load 1 or more): sizes are exact, import times are not evidence");
  const environment = await startBenchEnvironment("cold-start");
  const stepFunctions = await startStepFunctionsEndpoint();
  try {
    const { prepareInvocation } = await import("../infra/local/server");
    const { beginRun, failRun, ticketOf } = await import("../shared/use-cases/cleanup/lease");
    mkdirSync(outDir, { recursive: true });
    const fixtures = await seedFixtures();

    // As deployed: the cleanup route hands runs to Step Functions (a stub answers StartExecution here), the batch
    // step sends notices through SES (none is due here), credentials come from the environment.
    const deployedEnv = {
      AWS_REGION: "eu-central-1",
      CLEANUP_RUNNER: "step-functions",
      CLEANUP_STATE_MACHINE_ARN: "arn:aws:states:eu-central-1:000000000000:stateMachine:bench",
      AWS_ENDPOINT_URL_SFN: stepFunctions.url,
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      MAIL_TRANSPORT: "ses",
      NOTICE_SENDER_ADDRESS: "notices@example.com",
      NOTICE_EXPORT_URL: "https://api.example.com/me/export",
      COGNITO_USER_POOL_ID: "eu-central-1_bench",
    };
    const eventFile = (name: string, event: unknown) => {
      const file = join(outDir, `${name}.event.json`);
      writeFileSync(file, JSON.stringify(event));
      return file;
    };
    const routeEvent = (name: string, request: Parameters<typeof toIncomingRequest>[0]) => {
      const prepared = prepareInvocation(toIncomingRequest(request), { jwtSecret: environment.jwtSecret });
      if (prepared.kind !== "invoke") throw new Error(`${name}: the sample request was refused`);
      return eventFile(name, prepared.event);
    };
    const samples = new Map(samplesForAllRoutes(fixtures).map((sample) => [sample.routeKey, sample.request]));

    // The cleanup steps work on one running dry run (begun here, as the admin route begins one); `finish` ends it,
    // so each of its invocations gets a run of its own. Runs the route started (through the stub) are ended first.
    let running: RunTicket | null = null;
    const runningRun = async (): Promise<RunTicket> => {
      if (!running) {
        for (const started of stepFunctions.requests.splice(0)) {
          await failRun(JSON.parse(started.body.input) as RunTicket, new Date()).catch(() => undefined);
        }
        running = ticketOf(await beginRun({ dryRun: true, cutoff: "2024-01-01T00:00:00Z" }, new Date()));
      }
      return running;
    };
    const stepEvent = (fn: Extract<DeployedFunction, { kind: "cleanup-step" }>) => {
      const file = join(outDir, `${fn.name}.event.json`);
      const events: Record<typeof fn.step, (run: RunTicket) => unknown> = {
        begin: (run) => ({ runId: run.runId, dryRun: run.dryRun, cutoff: run.cutoff }),
        findCandidates: (run) => ({ run, cursor: null }),
        processBatch: (run) => ({ run, userIds: [] }),
        recount: (run) => ({ run }),
        finish: (run) => ({ run, status: "succeeded" }),
        restoreSweep: () => ({}),
      };
      const prepare = async () => {
        writeFileSync(file, JSON.stringify(events[fn.step](await runningRun())));
        if (fn.step === "finish") running = null;
      };
      return { file, prepare };
    };

    const functions = deployedFunctions.filter((fn) => !ONLY || ONLY.test(fn.name));
    const metafiles = await bundleAllAsDeployed(functions, outDir);
    const naive = await floorBundle("floor-naive", "default chain");
    const trimmed = await floorBundle("floor-environment-credentials", "environment only");
    const deployedFloor = await bundle("floor-as-deployed", floorEntry);
    const floorEvent = eventFile("floor", {});
    const floorSide = (file: string): Side => ({ file, event: floorEvent, env: {} });

    const rows: (string | number)[][] = [];
    const failures: string[] = [];
    let worstSize = 0;
    let worstImport = 0;
    let worstImportCpu = 0;
    const floorRows = await measurePaired([
      floorSide(naive.file),
      floorSide(trimmed.file),
      floorSide(deployedFloor.file),
    ]);
    const floorRow = (label: string, bytes: number, index: number) => [
      label,
      floorRows.status,
      kb(bytes),
      "",
      ratio(bytes, naive.bytes),
      ratio(bytes, trimmed.bytes),
      floorRows.loadMs[index]!.toFixed(0),
      floorRows.loadRatio(index, 0).toFixed(2),
      floorRows.loadRatio(index, 1).toFixed(2),
      floorRows.loadCpuMs[index]!.toFixed(0),
      floorRows.loadCpuRatio(index, 0).toFixed(2),
      floorRows.answerMs[index]!.toFixed(0),
      "",
      "",
    ];
    rows.push(
      floorRow("floor, naive: the SDK's defaults, one file", naive.bytes, 0),
      floorRow("floor, trimmed: environment-only credentials, one file", trimmed.bytes, 1),
      floorRow("floor, bundled as the stack bundles now", deployedFloor.bytes, 2),
    );
    say(
      `floors: naive ${kb(naive.bytes)} KB, import ${floorRows.loadMs[0]!.toFixed(0)} ms (CPU ${floorRows.loadCpuMs[0]!.toFixed(0)}); ` +
        `trimmed ${kb(trimmed.bytes)} KB, import ${floorRows.loadMs[1]!.toFixed(0)} ms (CPU ${floorRows.loadCpuMs[1]!.toFixed(0)}); ` +
        `bars: init size ≤ ${SIZE_TARGET} × naive (${kb(naive.bytes * SIZE_TARGET)} KB), import ≤ ${IMPORT_TARGET} × naive`,
    );

    // The undo last: before the run's start, it would take the runs' lock and the start would answer 409.
    for (const fn of [...functions].sort((a, b) => Number(isUndo(a)) - Number(isUndo(b)))) {
      const file = join(outDir, fn.name, "index.mjs");
      let side: Side;
      let label: string;
      if (fn.kind === "cleanup-step") {
        const { file: event, prepare } = stepEvent(fn);
        side = { file, event, env: deployedEnv, prepare };
        label = `cleanup step \`${fn.step}\``;
      } else {
        const routeKey = fn.kind === "route" ? `${fn.route.method} ${fn.route.path}` : "$default";
        const request = fn.kind === "route" ? samples.get(routeKey)! : fallbackSample(fixtures);
        side = { file, event: routeEvent(fn.name, request), env: deployedEnv };
        label = `\`${routeKey}\``;
      }
      const initBytes = await bytesLoadedAtInit(file, deployedEnv);
      const { init, lazy } = filesOf(metafiles.get(fn.name)!);
      const onDemand = totalBytes(init) + totalBytes(lazy) - initBytes;
      const paired = await measurePaired([side, floorSide(naive.file), floorSide(trimmed.file)]);
      // The function's import over each floor's: the median of per-iteration ratios.
      const importRatio = (floorIndex: number) => paired.loadRatio(0, floorIndex);
      worstSize = Math.max(worstSize, initBytes / naive.bytes);
      worstImport = Math.max(worstImport, importRatio(1));
      worstImportCpu = Math.max(worstImportCpu, paired.loadCpuRatio(0, 1));
      const answered = answers(fn, paired.status);
      if (!answered) failures.push(`${fn.name} answered ${paired.status}`);
      const sizeBar = bar(initBytes / naive.bytes, SIZE_TARGET);
      const importBar = bar(importRatio(1), IMPORT_TARGET);
      say(
        `${label.replaceAll("`", "")}: ${answered ? "" : "DID NOT ANSWER: "}${paired.status}; init ${kb(initBytes)} KB, ` +
          `size ÷ naive ${sizeBar}; import ÷ naive ${importBar} ` +
          `(${paired.loadMs[0]!.toFixed(0)} / ${paired.loadMs[1]!.toFixed(0)} ms; CPU ÷ naive ${paired.loadCpuRatio(0, 1).toFixed(2)}); ` +
          `÷ trimmed: size ${ratio(initBytes, trimmed.bytes)}, import ${importRatio(2).toFixed(2)}`,
      );
      rows.push([
        label,
        answered ? paired.status : `${paired.status}: **does not answer its route**`,
        kb(initBytes),
        kb(onDemand),
        ratio(initBytes, naive.bytes),
        ratio(initBytes, trimmed.bytes),
        `${paired.loadMs[0]!.toFixed(0)} / ${paired.loadMs[1]!.toFixed(0)} / ${paired.loadMs[2]!.toFixed(0)}`,
        importRatio(1).toFixed(2),
        importRatio(2).toFixed(2),
        `${paired.loadCpuMs[0]!.toFixed(0)} / ${paired.loadCpuMs[1]!.toFixed(0)} / ${paired.loadCpuMs[2]!.toFixed(0)}`,
        paired.loadCpuRatio(0, 1).toFixed(2),
        `${paired.answerMs[0]!.toFixed(0)} / ${paired.answerMs[1]!.toFixed(0)}`,
        sizeBar,
        importBar,
      ]);
    }
    const loadAtEnd = loadavg();
    const verdict = (value: number, target: number) =>
      value <= target ? `met (worst ${value.toFixed(2)})` : `MISSED (worst ${value.toFixed(2)})`;
    const quiet = loadAtStart[0]! < 1;
    say(`load average at its end: ${loadText(loadAtEnd)}`);
    say(
      `targets: size ${verdict(worstSize, SIZE_TARGET)}; import ${verdict(worstImport, IMPORT_TARGET)}` +
        `${quiet ? "" : " (under load)"}; import CPU worst ${worstImportCpu.toFixed(2)} × the naive floor's`,
    );
    const section = [
      "## 1. Cold start",
      "",
      `Command: \`npm run bench:cold-start\` (\`BENCH_COLD_RUNS\`, default 9). ${machineLine()}`,
      `Load average (1, 5, 15 min) at its start, ${startedAt}: ${loadText(loadAtStart)}; at its end: ${loadText(loadAtEnd)}.` +
        (quiet
          ? ""
          : " **Not a quiet machine** (load 1 or more at the start): the sizes are exact, the import times and" +
            " their ratios are as measured under that load and must be measured again on a quiet machine."),
      "",
      "Every function is bundled exactly as the CDK stack bundles it (`infra/bundling.ts`: esbuild, minified, ESM, code",
      "splitting, the environment-only credential provider), then fresh Node processes import it as Lambda's init does",
      "and answer one event against DynamoDB Local. **Init KB** is what the import loads (`index.mjs`, the chunks it",
      "imports, and any a top-level `await import()` loads: measured by a module hook); **on demand KB** is what only a",
      "later `import()` loads, on the path that needs it (the token verifier of a public route given a token, the Step",
      "Functions client, the mail clients, the SDK's event streams). Source maps are neither.",
      "",
      `The floors: a bare handler making one GetItem (\`${floorEntry}\`), bundled in one file as functions were bundled`,
      "before issue 20 (NodejsFunction's esbuild, the same minification, ESM and main fields) with the SDK's defaults",
      `(naive, ${naive.bytes.toLocaleString("en")} bytes) and with the environment-only credential provider (trimmed,`,
      `${trimmed.bytes.toLocaleString("en")} bytes); and, for reference, as the stack bundles a function now. Import ms`,
      `are medians over ${RUNS} iterations; in each iteration the function and both floors are imported once each, back`,
      "to back, in an order that turns, and each ratio is the median of the per-iteration ratios.",
      "",
      ...(failures.length > 0
        ? [`**Functions that did not answer their route's sample event:** ${failures.join("; ")}.`, ""]
        : [
            "Every function answered its route's sample event (status below; a cleanup step: its state machine's data).",
            "",
          ]),
      `Targets (issue 20): init size ≤ ${SIZE_TARGET} × the naive floor's: ${verdict(worstSize, SIZE_TARGET)}; import ≤ ${IMPORT_TARGET} × the naive floor's: ${verdict(worstImport, IMPORT_TARGET)}${quiet ? "" : " (under load)"}. The import's CPU time (user + system of the process, which other processes on the machine change less than its wall time): worst ${worstImportCpu.toFixed(2)} × the naive floor's.`,
      "",
      table(
        [
          "function",
          "status",
          "init KB",
          "on demand KB",
          "size ÷ naive floor",
          "size ÷ trimmed floor",
          "import ms: fn / naive / trimmed",
          "import ÷ naive floor",
          "import ÷ trimmed floor",
          "import CPU ms: fn / naive / trimmed",
          "import CPU ÷ naive floor",
          "answer ms: fn / naive floor",
          `size bar: ÷ naive ≤ ${SIZE_TARGET}`,
          `import bar: ÷ naive ≤ ${IMPORT_TARGET}`,
        ],
        rows,
      ),
    ].join("\n");
    return { section, failures };
  } finally {
    stepFunctions.close();
    await environment.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { section, failures } = await coldStart();
  writeSection("cold-start", section);
  say("written to docs/performance.md, part 1");
  if (failures.length > 0) {
    say(`functions that did not answer their route: ${failures.join("; ")}`);
    process.exit(1);
  }
  process.exit(0);
}
