import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleAllAsDeployed, writeRunTimeFilesBeside } from "../../infra/bundle-as-deployed";
import type { RunTimeFiles } from "../../infra/bundling";
import { cleanupSteps } from "../../infra/constructs/cleanup-workflow";
import { inProcessRunsSettled } from "../../infra/local/cleanup-runner";
import { MAX_CONCURRENCY_VARIABLE } from "../../infra/local/invoke-store";
import { prepareInvocation } from "../../infra/local/server";
import { fallbackRoute, routeName, routes } from "../../infra/routes";
import { jwtSecret } from "../support/api/in-process";
import {
  fallbackSample,
  samplesForAllRoutes,
  seedFixtures,
  toIncomingRequest,
  type SampleRequest,
} from "../support/route-samples";
import { startStepFunctionsEndpoint } from "../support/step-functions-endpoint";

// Every function of the stack, bundled as the stack bundles it (infra/bundling.ts), loaded by a fresh Node process
// as a Lambda environment loads it: it must refuse to load without CURSOR_SECRET or TOKEN_VERIFIER, and with its
// configuration answer one event against DynamoDB Local. A bundling fault fails here, not at a deploy.

const root = resolve(import.meta.dirname, "../..");
const outDir = mkdtempSync(join(tmpdir(), "bundles-"));
const STATE_MACHINE_ARN = "arn:aws:states:local:000000000000:stateMachine:Cleanup";

const deployed: { name: string; entry: string; runTimeFiles?: RunTimeFiles }[] = [
  ...routes.map((route) => ({ name: routeName(route), entry: route.entry, runTimeFiles: route })),
  { name: "RouteNotFound", entry: fallbackRoute.entry, runTimeFiles: fallbackRoute },
  ...Object.entries(cleanupSteps).map(([step, entry]) => ({ name: `Cleanup-${step}`, entry })),
];

interface Loaded {
  refusals: Record<"CURSOR_SECRET" | "TOKEN_VERIFIER", string | null>;
  result: any;
}

let stepFunctions: Awaited<ReturnType<typeof startStepFunctionsEndpoint>>;
let buildMs = 0;

/**
 * What the stack gives a function, with this machine's table and tokens; CLEANUP_RUNNER only where it starts runs.
 * A classic Lambda environment runs one invocation at a time: no AWS_LAMBDA_MAX_CONCURRENCY (this test process,
 * a local host, runs many).
 */
function environmentOf(startsCleanup: boolean): NodeJS.ProcessEnv {
  const { CLEANUP_RUNNER: _notGiven, [MAX_CONCURRENCY_VARIABLE]: _concurrent, ...env } = process.env;
  if (!startsCleanup) return env;
  return {
    ...env,
    CLEANUP_RUNNER: "step-functions",
    CLEANUP_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
    AWS_ENDPOINT_URL_SFN: stepFunctions.url,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
  };
}

function load(name: string, event: unknown, env: NodeJS.ProcessEnv): Promise<Loaded> {
  const eventFile = join(outDir, `${name}.event.json`);
  writeFileSync(eventFile, JSON.stringify(event));
  return new Promise((resolveLoad, reject) => {
    const child = spawn(
      process.execPath,
      [join(root, "test/support/load-bundle.mjs"), join(outDir, name, "index.mjs"), eventFile],
      {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.once("exit", (code) =>
      code === 0 ? resolveLoad(JSON.parse(out)) : reject(new Error(`${name} exited with ${code}: ${err}`)),
    );
  });
}

function expectRefusals(name: string, loaded: Loaded): void {
  expect(loaded.refusals.CURSOR_SECRET, `${name} without CURSOR_SECRET`).toMatch(/CURSOR_SECRET: is required/);
  expect(loaded.refusals.TOKEN_VERIFIER, `${name} without TOKEN_VERIFIER`).toMatch(/TOKEN_VERIFIER: is required/);
}

/** Runs `work` over `items`, two at a time (this machine has two cores). */
async function twoAtATime<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

beforeAll(async () => {
  const started = performance.now();
  await bundleAllAsDeployed(Object.fromEntries(deployed.map((fn) => [fn.name, join(root, fn.entry)])), outDir);
  for (const fn of deployed) writeRunTimeFilesBeside(fn.runTimeFiles ?? {}, root, join(outDir, fn.name));
  buildMs = performance.now() - started;
  stepFunctions = await startStepFunctionsEndpoint();
}, 120_000);

afterAll(() => {
  stepFunctions?.close();
  rmSync(outDir, { recursive: true, force: true });
});

describe("every bundle, built as the stack builds it", () => {
  it(`builds all ${deployed.length} functions at once`, () => {
    for (const fn of deployed) expect(statSync(join(outDir, fn.name, "index.mjs")).size, fn.name).toBeGreaterThan(0);
    process.stdout.write(`bundles: ${deployed.length} built in ${buildMs.toFixed(0)} ms\n`);
  });

  it("runs a cleanup as the state machine chains the step bundles, each refusing to load unconfigured", async () => {
    await inProcessRunsSettled();
    const env = environmentOf(false);
    const begun = await load("Cleanup-begin", {}, env);
    expectRefusals("Cleanup-begin", begun);
    const run = begun.result.run;
    expect(run).toMatchObject({ runId: expect.any(String), dryRun: false });
    const steps: [string, unknown, (result: any) => void][] = [
      ["Cleanup-findCandidates", { run, cursor: null }, (result) => expect(result).toHaveProperty("batches")],
      ["Cleanup-processBatch", { run, userIds: [] }, (result) => expect(result).toEqual({ run, userIds: [] })],
      ["Cleanup-recount", { run }, (result) => expect(result).toEqual({ done: true })],
      ["Cleanup-finish", { run, status: "succeeded" }, (result) => expect(result).toEqual({ status: "succeeded" })],
    ];
    for (const [name, event, check] of steps) {
      const loaded = await load(name, event, env);
      expectRefusals(name, loaded);
      check(loaded.result);
    }
  }, 120_000);

  it("answers each route's sample event, each route bundle refusing to load unconfigured", async () => {
    const fixtures = await seedFixtures();
    await inProcessRunsSettled();
    const samples: { name: string; request: SampleRequest; startsCleanup: boolean; expected: number[] }[] = [
      ...samplesForAllRoutes(fixtures).map((sample) => {
        const route = routes.find((candidate) => `${candidate.method} ${candidate.path}` === sample.routeKey)!;
        return {
          name: routeName(route),
          request: sample.request,
          startsCleanup: route.startsCleanup === true,
          expected: [200, 201, 202, 204],
        };
      }),
      { name: "RouteNotFound", request: fallbackSample(fixtures), startsCleanup: false, expected: [404] },
    ];
    const answers = await twoAtATime(samples, async (sample) => {
      const prepared = prepareInvocation(toIncomingRequest(sample.request), { jwtSecret: jwtSecret() });
      if (prepared.kind !== "invoke") throw new Error(`${sample.name}: the sample request was refused`);
      return { sample, loaded: await load(sample.name, prepared.event, environmentOf(sample.startsCleanup)) };
    });
    for (const { sample, loaded } of answers) {
      expectRefusals(sample.name, loaded);
      expect(sample.expected, `${sample.name} answered ${loaded.result.statusCode}: ${loaded.result.body}`).toContain(
        loaded.result.statusCode,
      );
    }
    // The deployed cleanup route hands its run to Step Functions, through the real SDK.
    expect(stepFunctions.requests).toEqual([
      {
        target: "AWSStepFunctions.StartExecution",
        body: expect.objectContaining({ stateMachineArn: STATE_MACHINE_ARN }),
      },
    ]);
  }, 180_000);
});
