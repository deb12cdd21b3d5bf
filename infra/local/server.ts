import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import type { HttpApiEvent, HttpApiResult } from "../../shared/http/event";
import { matchRoute } from "../../shared/http/routing";
import { corsSettings, type CorsSettings } from "../cors";
import { useApiDescription } from "../../shared/api/description";
import type { RouteDefinition } from "../../shared/api/route";
import { apiDescriptionDocument } from "../api-description";
import { DEFAULT_TIMEOUT_SECONDS, fallbackRoute, routeName, routes, timeoutSecondsOf } from "../routes";
import { toHttpApiEvent, type IncomingRequest } from "./api-gateway-event";
import { authorizeLocally } from "./authorizer";
import { isPreflight, preflightAnswer, withCorsHeaders } from "./cors-answers";
import { API_GATEWAY_MAX_BODY_BYTES, gatewayAnswers, LAMBDA_MAX_RESPONSE_BYTES } from "./gateway-answers";
import { runAs, type Principal } from "./invocation-context";
import { lambdaContext } from "./lambda-context";
import { asInvocation, hostConcurrentInvocations } from "./invoke-store";

type LambdaHandler = (event: HttpApiEvent, context: Context) => Promise<HttpApiResult>;

const projectRoot = resolve(import.meta.dirname, "../..");

const loadedHandlers = new Map<string, Promise<LambdaHandler>>();

// What the stack writes beside the bundles of the functions that read the API's description (GET /openapi.json,
// `$default`), handed to them in this process instead; built when first read.
useApiDescription(apiDescriptionDocument);

// The local host runs cleanup runs in this process (in AWS, the Step Functions state machine runs them). Loaded
// with the first handler, not with this module: it reads the configuration, which the caller sets up first.
let inProcessCleanup: Promise<unknown> | undefined;

function loadHandler(entry: string): Promise<LambdaHandler> {
  inProcessCleanup ??= import("./cleanup-runner");
  let loading = loadedHandlers.get(entry);
  if (!loading) {
    loading = inProcessCleanup
      .then(() => import(pathToFileURL(resolve(projectRoot, entry)).href))
      .then((module: { handler: LambdaHandler }) => {
        if (typeof module.handler !== "function") throw new Error(`${entry} exports no handler`);
        return module.handler;
      });
    // A module that failed to load (its configuration refused, say) is tried again on the next request, as
    // Lambda starts a new environment after a failed init.
    loading.catch(() => loadedHandlers.delete(entry));
    loadedHandlers.set(entry, loading);
  }
  return loading;
}

/** Reads the body, keeping no more than one chunk past API Gateway's limit (enough to know it is too large). */
function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      if (size <= API_GATEWAY_MAX_BODY_BYTES) chunks.push(chunk);
      size += chunk.length;
    });
    request.on("end", () => resolveBody(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, result: HttpApiResult): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) response.setHeader("set-cookie", result.cookies);
  response.writeHead(result.statusCode ?? 200, headers);
  const body = result.body ?? "";
  response.end(result.isBase64Encoded ? Buffer.from(body, "base64") : body);
}

/** What the local host reads of a route: where it is served, by which handler, with which authorizer and timeout. */
export type HostedRoute = Pick<RouteDefinition, "method" | "path" | "entry" | "auth" | "timeoutSeconds">;

export interface LocalServerOptions {
  jwtSecret: string;
  /** The routes to serve; every route (infra/routes.ts) unless a test serves its own. */
  routeTable?: readonly HostedRoute[];
  /** The origins of CORS_ALLOWED_ORIGINS (infra/cors.ts parses them); none: no CORS, as the stack then deploys. */
  corsAllowedOrigins?: readonly string[];
}

export type PreparedInvocation =
  | {
      kind: "invoke";
      event: HttpApiEvent;
      entry: string;
      functionName: string;
      timeoutSeconds: number;
      principal: Principal;
    }
  | { kind: "answer"; result: HttpApiResult };

function corsOf(options: LocalServerOptions): CorsSettings | null {
  const origins = options.corsAllowedOrigins ?? [];
  return origins.length > 0 ? corsSettings(origins, options.routeTable ?? routes) : null;
}

/**
 * What API Gateway does with a request before Lambda runs: refuse a body over its limit, match the route, play
 * the JWT authorizer on protected routes, and build the v2 event for the route's function.
 */
export function prepareInvocation(request: IncomingRequest, options: LocalServerOptions): PreparedInvocation {
  if (request.body.length > API_GATEWAY_MAX_BODY_BYTES)
    return { kind: "answer", result: gatewayAnswers.requestTooLarge() };
  const { match } = matchRoute(options.routeTable ?? routes, request.method, request.url.pathname);
  let claims: Record<string, string> | undefined;
  if (match?.route.auth === "required") {
    const authorized = authorizeLocally(headerValue(request.headers.authorization), options.jwtSecret);
    if (!authorized) return { kind: "answer", result: gatewayAnswers.unauthorized() };
    claims = authorized;
  }
  const routeKey = match ? `${match.route.method} ${match.route.path}` : "$default";
  return {
    kind: "invoke",
    event: toHttpApiEvent(request, routeKey, match?.pathParameters, claims),
    entry: match ? match.route.entry : fallbackRoute.entry,
    functionName: match ? routeName(match.route) : "RouteNotFound",
    timeoutSeconds: match ? timeoutSecondsOf(match.route) : DEFAULT_TIMEOUT_SECONDS,
    principal: match ? { kind: "route", routeKey, entry: match.route.entry } : { kind: "fallback" },
  };
}

const TIMED_OUT = Symbol("timed out");

/**
 * How many invocations this host runs at once. In AWS every concurrent invocation has an execution environment
 * (and an SDK client) of its own; here they share one process, one socket pool and one DynamoDB Local, so a test's
 * 200 simultaneous requests would each wait on all the others. Beyond this many, an invocation waits for a free
 * "environment" first, and its timeout counts from when it runs, as a Lambda's does.
 */
const LOCAL_ENVIRONMENTS = 32;
// The "environments" share this process and each function's module, as invocations of a Lambda Managed Instance
// do: each invocation gets a context of its own, which keeps its log keys and metrics apart (invoke-store.ts).
hostConcurrentInvocations(LOCAL_ENVIRONMENTS);
let running = 0;
const waiting: (() => void)[] = [];

async function inEnvironment<T>(work: () => Promise<T>): Promise<T> {
  if (running >= LOCAL_ENVIRONMENTS) await new Promise<void>((resolveTurn) => waiting.push(resolveTurn));
  else running++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

type Outcome = { result: HttpApiResult } | { error: unknown } | typeof TIMED_OUT;

/** One invocation's own handler time: from the handler's start to its answer, without the wait for an environment. */
export interface HandlerTiming {
  functionName: string;
  requestId: string;
  /** Wall time: includes waits for DynamoDB (Local), and whatever else the machine runs meanwhile. */
  handlerMs: number;
  /**
   * The process's CPU time meanwhile (user + system): the function's own work when invocations do not overlap,
   * as in the fuzz, which sends one request at a time; unlike wall time, other processes' load does not count.
   */
  cpuMs: number;
}

const timingListeners = new Set<(timing: HandlerTiming) => void>();

/**
 * Listens to every invocation's handler time until the returned function is called (the hostile fuzz holds each
 * request to a second of its function's own work; a request waiting for a free environment is not charged for it).
 */
export function onHandlerTiming(listener: (timing: HandlerTiming) => void): () => void {
  timingListeners.add(listener);
  return () => timingListeners.delete(listener);
}

/**
 * Loads the module (Lambda's init phase, which its timeout does not cover), then runs the handler against the
 * function's timeout. A timed-out invocation's late answer is dropped, as Lambda drops it.
 */
async function run(prepared: Extract<PreparedInvocation, { kind: "invoke" }>): Promise<Outcome> {
  let handler: LambdaHandler;
  try {
    handler = await loadHandler(prepared.entry);
  } catch (error) {
    return { error };
  }
  // One clock for both: the handler's remaining time reaches 0 exactly when the host ends the invocation.
  const context = lambdaContext(prepared.functionName, prepared.timeoutSeconds);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<typeof TIMED_OUT>((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout(TIMED_OUT), context.getRemainingTimeInMillis());
  });
  const startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  const invocation = runAs(prepared.principal, () =>
    asInvocation(() => handler(prepared.event, context), context.awsRequestId),
  )
    .finally(() => {
      const cpu = process.cpuUsage(cpuAtStart);
      const timing = {
        functionName: prepared.functionName,
        requestId: prepared.event.requestContext.requestId,
        handlerMs: performance.now() - startedAt,
        cpuMs: (cpu.user + cpu.system) / 1000,
      };
      for (const listener of timingListeners) listener(timing);
    })
    .then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
  return Promise.race([invocation, timedOut]).finally(() => clearTimeout(timer));
}

/**
 * Runs the function as Lambda does, and answers what API Gateway answers for it: the handler's result, or 500
 * when the handler (or its module) throws, runs past the function's timeout, or answers more than Lambda's
 * response limit.
 */
async function invoke(prepared: Extract<PreparedInvocation, { kind: "invoke" }>): Promise<HttpApiResult> {
  const outcome = await inEnvironment(() => run(prepared));
  if (outcome === TIMED_OUT) {
    report(prepared, `Task timed out after ${prepared.timeoutSeconds} seconds`);
    return gatewayAnswers.internalServerError();
  }
  if ("error" in outcome) {
    report(
      prepared,
      outcome.error instanceof Error ? (outcome.error.stack ?? outcome.error.message) : String(outcome.error),
    );
    return gatewayAnswers.internalServerError();
  }
  // Lambda measures the serialized invocation response, the JSON of the whole result object.
  const responseBytes = Buffer.byteLength(JSON.stringify(outcome.result ?? null), "utf8");
  if (responseBytes > LAMBDA_MAX_RESPONSE_BYTES) {
    report(
      prepared,
      `Response payload size (${responseBytes} bytes) exceeded maximum allowed payload size (${LAMBDA_MAX_RESPONSE_BYTES} bytes)`,
    );
    return gatewayAnswers.internalServerError();
  }
  return outcome.result;
}

/** What Lambda would log for a failed invocation, on this host's stderr (the answer itself says nothing). */
function report(prepared: { functionName: string }, problem: string): void {
  process.stderr.write(`local server: ${prepared.functionName}: ${problem}\n`);
}

/**
 * One request through API Gateway's steps and the route's real Lambda handler. With CORS configured, API Gateway
 * answers preflights itself, before routes and authorizers, and adds the CORS headers to every other answer.
 */
export async function dispatch(request: IncomingRequest, options: LocalServerOptions): Promise<HttpApiResult> {
  const cors = corsOf(options);
  if (cors && isPreflight(request)) return preflightAnswer(cors, request);
  const prepared = prepareInvocation(request, options);
  const result = prepared.kind === "answer" ? prepared.result : await invoke(prepared);
  // API Gateway names every request's ID in its answer: what a client quotes, and what the function's logs carry.
  const requestId = prepared.kind === "invoke" ? prepared.event.requestContext.requestId : randomUUID();
  const identified = { ...result, headers: { ...result.headers, "apigw-requestid": requestId } };
  return cors ? withCorsHeaders(cors, request, identified) : identified;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** An HTTP server that serves every route with the handlers that run in AWS. */
export function createLocalServer(options: LocalServerOptions): Server {
  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    try {
      const body = await readBody(request);
      const result = await dispatch(
        {
          method: (request.method ?? "GET").toUpperCase(),
          url: new URL(request.url ?? "/", "http://localhost"),
          headers: request.headers,
          body,
          sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
        },
        options,
      );
      send(response, result);
    } catch (error) {
      process.stderr.write(`local server: ${error instanceof Error ? error.stack : String(error)}\n`);
      if (!response.headersSent) send(response, gatewayAnswers.internalServerError());
    }
  };
  return createServer((request, response) => void serve(request, response));
}
