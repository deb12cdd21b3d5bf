import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import type { HttpApiEvent, HttpApiResult } from "../../shared/http/event";
import { matchRoute } from "../../shared/http/routing";
import { fallbackRoute, routeName, routes, type RouteDefinition } from "../routes";
import { toHttpApiEvent, type IncomingRequest } from "./api-gateway-event";
import { authorizeLocally } from "./authorizer";

type LambdaHandler = (event: HttpApiEvent, context: Context) => Promise<HttpApiResult>;

const projectRoot = resolve(import.meta.dirname, "../..");
// API Gateway HTTP APIs refuse payloads over 10 MB before any Lambda runs.
const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

const loadedHandlers = new Map<string, Promise<LambdaHandler>>();

// The local host runs cleanup runs in this process (in AWS, the Step Functions state machine runs them). Loaded
// with the first handler, not with this module: it reads the configuration, which the caller sets up first.
let inProcessCleanup: Promise<unknown> | undefined;

function loadHandler(entry: string): Promise<LambdaHandler> {
  inProcessCleanup ??= import("../../shared/use-cases/cleanup-in-process");
  let loading = loadedHandlers.get(entry);
  if (!loading) {
    loading = inProcessCleanup
      .then(() => import(pathToFileURL(resolve(projectRoot, entry)).href))
      .then((module: { handler: LambdaHandler }) => {
        if (typeof module.handler !== "function") throw new Error(`${entry} exports no handler`);
        return module.handler;
      });
    loadedHandlers.set(entry, loading);
  }
  return loading;
}

export function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function readBody(request: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= API_GATEWAY_MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on("end", () => resolveBody(size > API_GATEWAY_MAX_BODY_BYTES ? null : Buffer.concat(chunks)));
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

function errorResult(statusCode: number, code: string, message: string): HttpApiResult {
  return {
    statusCode,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
    body: JSON.stringify({ error: { code, message } }),
  };
}

export interface LocalServerOptions {
  jwtSecret: string;
  routeTable?: readonly RouteDefinition[];
}

export type PreparedInvocation =
  | { kind: "invoke"; event: HttpApiEvent; entry: string; functionName: string }
  | { kind: "answer"; result: HttpApiResult };

/**
 * What API Gateway does with a request before Lambda runs: match the route, play the JWT authorizer on
 * protected routes, and build the v2 event for the route's function.
 */
export function prepareInvocation(request: IncomingRequest, options: LocalServerOptions): PreparedInvocation {
  const { match } = matchRoute(options.routeTable ?? routes, request.method, request.url.pathname);
  let claims: Record<string, string> | undefined;
  if (match?.route.auth === "jwt") {
    const authorized = authorizeLocally(headerValue(request.headers.authorization), options.jwtSecret);
    if (!authorized) {
      return { kind: "answer", result: errorResult(401, "unauthorized", "A valid bearer token is required.") };
    }
    claims = authorized;
  }
  const routeKey = match ? `${match.route.method} ${match.route.path}` : "$default";
  return {
    kind: "invoke",
    event: toHttpApiEvent(request, routeKey, match?.pathParameters, claims),
    entry: match ? match.route.entry : fallbackRoute.entry,
    functionName: match ? routeName(match.route) : "RouteNotFound",
  };
}

/** One request through API Gateway's steps and the route's real Lambda handler. */
export async function dispatch(request: IncomingRequest, options: LocalServerOptions): Promise<HttpApiResult> {
  const prepared = prepareInvocation(request, options);
  if (prepared.kind === "answer") return prepared.result;
  const handler = await loadHandler(prepared.entry);
  return handler(prepared.event, lambdaContext(prepared.functionName));
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** An HTTP server that serves the route table with the handlers that run in AWS. */
export function createLocalServer(options: LocalServerOptions): Server {
  return createServer(async (request, response) => {
    try {
      const body = await readBody(request);
      if (body === null) return send(response, errorResult(413, "payload_too_large", "The request body is too large."));
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
      if (!response.headersSent) send(response, errorResult(500, "internal", "Something went wrong on our side."));
    }
  });
}
