import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Metafile } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleAllAsDeployed, deployedFunctions } from "../../infra/bundle-as-deployed";
import { inProcessRunsSettled } from "../../infra/local/cleanup-runner";
import type { RunTicket } from "../../shared/domain/cleanup";
import { failRun } from "../../shared/use-cases/cleanup/lease";
import { MAX_CONCURRENCY_VARIABLE } from "../../infra/local/invoke-store";
import { prepareInvocation } from "../../infra/local/server";
import { routeName, routes } from "../../infra/routes";
import { jwtSecret } from "../support/api/in-process";
import {
  fallbackSample,
  samplesForAllRoutes,
  seedFixtures,
  toIncomingRequest,
  type SampleRequest,
} from "../support/route-samples";
import { startStepFunctionsEndpoint } from "../support/step-functions-endpoint";
import {
  allowanceOf,
  carriedBy,
  credentialChain,
  forbiddenModulesOf,
  mailProtocolModules,
  modulesHolding,
  onDemandOnlyModulesOf,
  openApiWordsIn,
  otherRoutesOperations,
  otherRoutesSchemas,
  sdkModulesNeverBundled,
} from "../support/bundle-contents";

// Every function of the stack, bundled as the stack bundles it (infra/bundling.ts), loaded by a fresh Node process
// as a Lambda environment loads it: it must refuse to load without CURSOR_SECRET or TOKEN_VERIFIER, and with its
// configuration answer one event against DynamoDB Local. A bundling fault fails here, not at a deploy.

const root = resolve(import.meta.dirname, "../..");
const outDir = mkdtempSync(join(tmpdir(), "bundles-"));
const STATE_MACHINE_ARN = "arn:aws:states:local:000000000000:stateMachine:Cleanup";

const deployed = deployedFunctions;

interface Loaded {
  refusals: Record<"CURSOR_SECRET" | "TOKEN_VERIFIER", string | null>;
  result: any;
}

let stepFunctions: Awaited<ReturnType<typeof startStepFunctionsEndpoint>>;
let buildMs = 0;
let metafiles: Map<string, Metafile>;

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
  metafiles = await bundleAllAsDeployed(deployed, outDir);
  buildMs = performance.now() - started;
  stepFunctions = await startStepFunctionsEndpoint();
  // CPU-bound: 36 builds of two passes took 68 s at a load average of 19 on this 2-core machine, over 120 s at 29.
}, 300_000);

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
      // The restore sweep (its schedule's `{"sweep": true}`): nothing under way here.
      ["Cleanup-restoreSweep", {}, (result) => expect(result).toEqual({ done: true })],
    ];
    for (const [name, event, check] of steps) {
      const loaded = await load(name, event, env);
      expectRefusals(name, loaded);
      check(loaded.result);
    }
  }, 120_000);

  it("signs with the credentials of its environment, as Lambda gives them, never a profile's", async () => {
    // Given a profile a shell would use: the SDK's default chain prefers AWS_PROFILE over the environment's keys.
    const profiles = join(outDir, "aws-profiles");
    writeFileSync(
      profiles,
      "[profile bundle-test]\n[bundle-test]\naws_access_key_id = AKIAFROMPROFILE\naws_secret_access_key = x\n",
    );
    const fixtures = await seedFixtures();
    await inProcessRunsSettled();
    const sample = samplesForAllRoutes(fixtures).find(
      (candidate) => candidate.routeKey === "POST /admin/cleanup-runs",
    )!;
    const prepared = prepareInvocation(toIncomingRequest(sample.request), { jwtSecret: jwtSecret() });
    if (prepared.kind !== "invoke") throw new Error("the sample request was refused");
    const before = stepFunctions.requests.length;

    // When the deployed function starts a run through the Step Functions client.
    const loaded = await load("PostAdminCleanupRuns", prepared.event, {
      ...environmentOf(true),
      AWS_ACCESS_KEY_ID: "AKIAFROMENVIRONMENT",
      AWS_SESSION_TOKEN: "session",
      AWS_PROFILE: "bundle-test",
      AWS_CONFIG_FILE: profiles,
      AWS_SHARED_CREDENTIALS_FILE: profiles,
    });

    // Then it signed with the environment's key.
    expect(loaded.result.statusCode, loaded.result.body).toBe(202);
    const started = stepFunctions.requests.slice(before);
    expect(started.map((request) => request.accessKeyId)).toEqual(["AKIAFROMENVIRONMENT"]);
    // The stub runs nothing: end the run here, so that it holds no lease.
    await failRun(JSON.parse(started[0]!.body.input) as RunTicket, new Date());
  }, 120_000);

  it("answers each route's sample event, each route bundle refusing to load unconfigured", async () => {
    const fixtures = await seedFixtures();
    await inProcessRunsSettled();
    const startedBefore = stepFunctions.requests.length;
    const samples: { name: string; request: SampleRequest; startsCleanup: boolean; expected: number[] }[] = [
      ...samplesForAllRoutes(fixtures).map((sample) => {
        const route = routes.find((candidate) => `${candidate.method} ${candidate.path}` === sample.routeKey)!;
        return {
          name: routeName(route),
          request: sample.request,
          startsCleanup: route.startsCleanup === true,
          // The run sample's run holds the runs' lock here (no state machine runs it): an undo then answers 409.
          expected: route.path.endsWith("/restore") ? [202, 409] : [200, 201, 202, 204],
        };
      }),
      { name: "RouteNotFound", request: fallbackSample(fixtures), startsCleanup: false, expected: [404] },
    ];
    // The undo last (routes come in their modules' order, the undo's before the run's start): started beside the
    // run's start, it could take the runs' lock first and the start would answer 409.
    const isUndo = (sample: (typeof samples)[number]) => sample.request.path.endsWith("/restore");
    samples.sort((a, b) => Number(isUndo(a)) - Number(isUndo(b)));
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
    expect(stepFunctions.requests.slice(startedBefore)).toEqual([
      {
        target: "AWSStepFunctions.StartExecution",
        body: expect.objectContaining({ stateMachineArn: STATE_MACHINE_ARN }),
        accessKeyId: "local",
      },
    ]);
  }, 180_000);
});

describe("what each bundle carries (its esbuild metafile): only what its function reaches", () => {
  const kindOf = (fn: (typeof deployed)[number]) =>
    fn.kind === "route" ? `${fn.route.auth} route ${fn.route.method} ${fn.route.path}` : fn.kind;

  it.each(deployed.map((fn) => [fn.name, fn] as const))(
    "%s: no package its kind does not allow, the SDK's default credential chain least of all",
    (name, fn) => {
      const carried = carriedBy(metafiles.get(name)!);
      const allowed = allowanceOf(fn);
      const chain = [...carried.initPackages.keys(), ...carried.lazyPackages.keys()].filter((pkg) =>
        credentialChain.includes(pkg),
      );
      expect(
        chain,
        `${name} carries the SDK's default credential chain (Lambda's credentials are in its environment)`,
      ).toEqual([]);
      const unexpected = [
        ...[...carried.initPackages.keys()]
          .filter((pkg) => !allowed.init.includes(pkg))
          .map((pkg) => (allowed.lazy.includes(pkg) ? `${pkg} (loaded at init: allowed only on demand)` : pkg)),
        ...[...carried.lazyPackages.keys()].filter((pkg) => !allowed.init.includes(pkg) && !allowed.lazy.includes(pkg)),
      ];
      expect(unexpected, `packages of ${name} (${kindOf(fn)}) beyond its kind`).toEqual([]);
    },
  );

  it.each(deployed.map((fn) => [fn.name, fn] as const))(
    "%s: only its own entry, shared code its kind may use, no module its kind must not reach",
    (name, fn) => {
      const carried = carriedBy(metafiles.get(name)!);
      const allowed = allowanceOf(fn);
      const forbidden = forbiddenModulesOf(fn);
      const modules = [...carried.modules.keys()];
      expect(
        modules.filter((module) => !allowed.modules.some((prefix) => module.startsWith(prefix))),
        `modules of ${name} (${kindOf(fn)}) outside its entry and shared/`,
      ).toEqual([]);
      expect(
        modules.filter((module) => forbidden.some((prefix) => module.startsWith(prefix))),
        `modules ${name} (${kindOf(fn)}) must not carry`,
      ).toEqual([]);
    },
  );

  it.each(deployed.map((fn) => [fn.name, fn] as const))(
    "%s: what only a path loaded on demand needs (the restore, the outlook sync, the second-chance store) not at init",
    (name, fn) => {
      const { initModules } = carriedBy(metafiles.get(name)!);
      expect(
        onDemandOnlyModulesOf(fn).filter((module) => initModules.has(module)),
        `modules ${name} (${kindOf(fn)}) loads at init though only a path loaded on demand needs them`,
      ).toEqual([]);
    },
  );

  it.each(deployed.map((fn) => [fn.name, fn] as const))(
    "%s: none of the SDK's fallbacks for what Lambda always has, and no event streams",
    (name) => {
      const { inputs } = carriedBy(metafiles.get(name)!);
      expect(
        [...inputs].filter((path) => sdkModulesNeverBundled.some((pattern) => pattern.test(path))),
        `SDK modules ${name} carries though no Lambda environment runs them (infra/bundling.ts replaces them)`,
      ).toEqual([]);
    },
  );

  it.each(deployed.map((fn) => [fn.name, fn] as const))(
    "%s: none of the mail clients' protocols at init (the SES delivery is a bundle of its own)",
    (name) => {
      const { initInputs } = carriedBy(metafiles.get(name)!);
      expect(
        [...initInputs].filter((path) => mailProtocolModules.some((pattern) => pattern.test(path))),
        `mail protocols ${name} loads at init`,
      ).toEqual([]);
    },
  );

  it.each(deployed.map((fn) => [fn.name, fn] as const))(
    "%s: no other route's operation (its OpenAPI words) and no other route's schema",
    (name, fn) => {
      const carried = carriedBy(metafiles.get(name)!);
      const operations = otherRoutesOperations(fn, carried.text);
      expect(
        operations.map(({ operation, words }) => `${operation}, from ${modulesHolding(carried, words).join(", ")}`),
        `other routes' operations in ${name}`,
      ).toEqual([]);
      const schemas = otherRoutesSchemas(fn, carried.text);
      expect(
        schemas.map((id) => `${id}, from ${modulesHolding(carried, [`id: "${id}"`]).join(", ")}`),
        `other routes' schemas in ${name}`,
      ).toEqual([]);
    },
  );

  it.each(deployed.map((fn) => [fn.name, fn] as const))(
    "%s: no OpenAPI words at all, not even its own route's (only the document, built at deploy, reads them)",
    (name) => {
      const carried = carriedBy(metafiles.get(name)!);
      const words = openApiWordsIn(carried.text);
      expect(
        words.map((found) => `${JSON.stringify(found)}, from ${modulesHolding(carried, [found]).join(", ")}`),
        `OpenAPI words in ${name}`,
      ).toEqual([]);
    },
  );
});
