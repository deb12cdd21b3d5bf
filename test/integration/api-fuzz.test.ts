import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inProcessRunsSettled } from "../../infra/local/cleanup-runner";
import { api, tokenFor } from "../support/api/in-process";
import { type UncheckedInit } from "../support/api/client";
import { openApiDocument } from "../support/documented-answers";
import {
  fuzzSettings,
  headerValue,
  hostileBody,
  parameterValue,
  pathValue,
  requestBody,
  type RequestBody,
} from "../support/fuzz";
import { MAX_ERROR_ANSWER_BYTES, MAX_HANDLER_MS, measuredCall } from "../support/hostile";
import { recordDynamoDbRequests } from "../support/request-recorder";
import { given } from "../support/given";
import { expectStatus, type TestUser, uniqueHandle, uniqueUserId } from "../support/host";
import { when } from "../support/when";

// Property-based fuzzing of every operation of the OpenAPI document: requests made from the document alone,
// valid and invalid, by every kind of caller. Whatever comes, no answer is a 5xx, every answer is one the
// document allows (`call` checks it), and an answer in 4xx wrote nothing. `FUZZ_RUNS=500 FUZZ_SEED=random
// npm run test:fuzz` runs longer.
//
// Hostile mode (issue 23; `FUZZ_MODE=hostile npm run test:fuzz`, or `npm run test:fuzz:hostile` for 2,000 cases;
// in this mode `FUZZ_RUNS` counts the cases over all operations, not per operation): bodies up to 256 KiB, deep, wide, with long keys, lone surrogates, numbers and strings at every limit, on every operation as
// every kind of caller; besides the properties above, an error answer is at most 8 KiB and no request takes its
// function more than a second (its handler's own time, not a wait for an environment). `npm test` runs a small
// fixed-seed sample of it.

type Json = Record<string, any>;
const roles = ["anonymous", "forged token", "signed in without profile", "reader", "author", "admin"] as const;
type CallerRole = (typeof roles)[number];

/** What exists when an operation is fuzzed: one account of each kind, posts of each access, a comment, a run. */
interface World {
  callers: Record<Exclude<CallerRole, "anonymous">, TestUser>;
  known: Record<string, string[]>;
}

let runId: string;
beforeAll(async () => {
  const admin = await given.anAdmin();
  const started = await when.startsCleanup(admin, { dryRun: true });
  expectStatus(started, 202);
  runId = started.data.runId;
  await inProcessRunsSettled();
});

async function aWorld(): Promise<World> {
  const [reader, author, admin] = await Promise.all([given.aReader(), given.anAuthor(), given.anAdmin()]);
  const withoutProfile = given.aLocalCaller();
  const forged = { ...withoutProfile, token: tokenFor(withoutProfile.userId, ["admins"], {}, "not-the-secret") };
  await given.entitlements(admin, reader, [{ tier: "plus" }]);
  await given.aFollow(reader, author);
  const posts = await Promise.all(
    (["free", "plus", "select"] as const).map((access) => given.aPost(author, { access })),
  );
  const comment = await given.aComment(author, posts[0]!.postId);
  const users = [reader, author, admin, withoutProfile];
  return {
    callers: { "forged token": forged, "signed in without profile": withoutProfile, reader, author, admin },
    known: {
      userId: [...users.map((user) => user.userId), uniqueUserId("nobody")],
      handle: [reader.handle.toUpperCase(), author.handle, uniqueHandle()],
      postId: posts.map((post) => post.postId),
      commentId: [comment.commentId],
      runId: [runId],
    },
  };
}

interface FuzzRequest {
  role: CallerRole;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: RequestBody;
}

/** Requests to one operation, made from its description in the document. */
function requestsTo(
  path: string,
  operation: Json,
  world: World,
  body: fc.Arbitrary<RequestBody> = requestBody(operation, openApiDocument),
): fc.Arbitrary<FuzzRequest> {
  const parameters = (operation.parameters ?? []) as Json[];
  const pathParameters = parameters.filter((parameter) => parameter.in === "path");
  const optional = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined, freq: 3 });
  const named = (where: string, value: (parameter: Json) => fc.Arbitrary<string>) =>
    fc.record(
      Object.fromEntries(
        parameters
          .filter((parameter) => parameter.in === where)
          .map((parameter) => [parameter.name, optional(value(parameter))]),
      ),
    );
  return fc.record({
    role: fc.constantFrom(...roles),
    path: fc
      .tuple(...pathParameters.map((parameter) => pathValue(world.known[parameter.name] ?? ["x"])))
      .map((values) =>
        values.reduce(
          (filled, value, i) => filled.replace(`{${pathParameters[i]!.name}}`, encodeURIComponent(value)),
          path,
        ),
      ),
    query: named("query", (parameter) => parameterValue(parameter.schema, openApiDocument)),
    headers: named("header", (parameter) => headerValue(parameter.schema)),
    body,
  });
}

function callOptions(request: FuzzRequest, world: World): UncheckedInit {
  const defined = (values: Record<string, string | undefined>) =>
    Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return {
    ...(request.role === "anonymous" ? {} : { token: world.callers[request.role].token }),
    headers: defined(request.headers),
    ...(request.body.kind === "json" ? { body: request.body.value } : {}),
    ...(request.body.kind === "raw" ? { rawBody: request.body.text } : {}),
  };
}

const operations = Object.entries(openApiDocument.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({
    method: method.toUpperCase(),
    path,
    operation,
  })),
);

let requests: ReturnType<typeof recordDynamoDbRequests>;
beforeAll(() => {
  requests = recordDynamoDbRequests();
});
afterAll(() => requests.stop());

const hostileMode = process.env.FUZZ_MODE === "hostile";
/**
 * Hostile cases per operation: in hostile mode FUZZ_RUNS (default 2,000) cases spread over all operations; a small
 * sample otherwise (`npm test`).
 */
const hostileCases = Number(process.env.FUZZ_RUNS ?? 2000);
if (hostileMode && !(Number.isInteger(hostileCases) && hostileCases > 0))
  throw new Error(`FUZZ_RUNS must be a positive whole number of cases, not ${process.env.FUZZ_RUNS}`);
const hostileRuns = hostileMode ? Math.ceil(hostileCases / operations.length) : 2;

/** How a failing case prints: the request, its body's size and beginning (a body may be 256 KiB). */
function printable(request: FuzzRequest): FuzzRequest {
  const body = request.body.kind === "raw" ? request.body.text : JSON.stringify(request.body);
  return Object.assign(request, {
    [fc.toStringMethod]: () =>
      `${request.role} ${request.path} ${JSON.stringify(request.query)} ${JSON.stringify(request.headers)} body of ${Buffer.byteLength(body ?? "")} bytes: ${JSON.stringify((body ?? "").slice(0, 300))}`,
  });
}

function urlOf(request: FuzzRequest): string {
  const query = new URLSearchParams(
    Object.entries(request.query).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return query.size > 0 ? `${request.path}?${query.toString()}` : request.path;
}

describe.skipIf(hostileMode)(
  `every operation of the document, fuzzed (${fuzzSettings.runs} requests each, seed ${fuzzSettings.seed})`,
  () => {
    it.each(operations)(
      "$method $path: no 5xx, every answer documented, a refusal writes nothing",
      async ({ method, path, operation }) => {
        const world = await aWorld();
        await fc.assert(
          fc.asyncProperty(requestsTo(path, operation, world), async (request) => {
            const url = urlOf(request);
            requests.reset();
            // The client fails the property when the answer is not one the document allows.
            const answer = await api.unchecked(method, url, callOptions(request, world));
            // A started cleanup run goes on in the background; let it finish before the next request is judged.
            await inProcessRunsSettled();
            expect(answer.status, answer.text).toBeLessThan(500);
            if (answer.status >= 400)
              expect(requests.successfulWrites(), `${answer.status} ${answer.text}`).toEqual([]);
          }),
          { numRuns: fuzzSettings.runs, seed: fuzzSettings.seed, endOnFailure: true },
        );
      },
      120_000,
    );
  },
);

/**
 * What the hostile cases met, reported at the end of a hostile run: the statuses, the most CPU time a handler took
 * (and on what), the slowest handler in wall time (which measures the machine too), the largest error answer.
 */
const hostileSummary = {
  cases: 0,
  statuses: {} as Record<number, number>,
  mostHandlerCpuMs: 0,
  mostHandlerCpuOn: "",
  slowestHandlerMs: 0,
  largestErrorBytes: 0,
};
afterAll(() => {
  if (hostileMode) process.stdout.write(`hostile fuzz: ${JSON.stringify(hostileSummary)}\n`);
});

function summarize(method: string, request: FuzzRequest, answer: Awaited<ReturnType<typeof measuredCall>>): void {
  hostileSummary.cases++;
  hostileSummary.statuses[answer.status] = (hostileSummary.statuses[answer.status] ?? 0) + 1;
  hostileSummary.slowestHandlerMs = Math.max(hostileSummary.slowestHandlerMs, Math.round(answer.handlerMs ?? 0));
  if ((answer.cpuMs ?? 0) > hostileSummary.mostHandlerCpuMs) {
    const body = request.body.kind === "raw" ? request.body.text : "";
    hostileSummary.mostHandlerCpuMs = Math.round(answer.cpuMs!);
    hostileSummary.mostHandlerCpuOn = `${method} ${request.path} as ${request.role}, a body of ${Buffer.byteLength(body)} bytes: ${answer.status}`;
  }
  if (answer.status >= 400) hostileSummary.largestErrorBytes = Math.max(hostileSummary.largestErrorBytes, answer.bytes);
}

describe(`hostile bodies on every operation (${hostileRuns} each, seed ${fuzzSettings.seed})`, () => {
  it.each(operations)(
    "$method $path: no 5xx, errors at most 8 KiB, at most a second of handler time, a refusal writes nothing",
    async ({ method, path, operation }) => {
      const world = await aWorld();
      const hostileRequests = requestsTo(path, operation, world, hostileBody(operation, openApiDocument)).map(
        printable,
      );
      await fc.assert(
        fc.asyncProperty(hostileRequests, async (request) => {
          requests.reset();
          const answer = await measuredCall(method, urlOf(request), callOptions(request, world));
          await inProcessRunsSettled();
          summarize(method, request, answer);
          const said = `${answer.status} ${answer.text.slice(0, 500)}`;
          expect(answer.status, said).toBeLessThan(500);
          // A function ran unless API Gateway answered itself (its 401 on protected routes).
          if (answer.cpuMs !== undefined) expect(answer.cpuMs, said).toBeLessThanOrEqual(MAX_HANDLER_MS);
          if (answer.status >= 400) {
            expect(answer.bytes, said).toBeLessThanOrEqual(MAX_ERROR_ANSWER_BYTES);
            expect(requests.successfulWrites(), said).toEqual([]);
          }
        }),
        { numRuns: hostileRuns, seed: fuzzSettings.seed, endOnFailure: true },
      );
    },
    600_000,
  );
});
