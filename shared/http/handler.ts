import middy from "@middy/core";
import type { Context } from "aws-lambda";
import * as z from "zod/mini";
import { anonymousCaller, type Caller, type Identity } from "../domain/account";
import { requireRole } from "../use-cases/caller";
import { withinDeadline } from "../deadline";
import type { HandlerOptions, PathParameters } from "../api/route";
import { notFound } from "../errors";
import type { HttpApiEvent, HttpApiResult, StatefulEvent } from "./event";
import { authentication, type AuthMode, type TokenVerifier } from "./middleware/authentication";
import { businessMetrics } from "./middleware/business-metrics";
import { callerLoading } from "./middleware/caller-loading";
import { errorResponses } from "./middleware/error-responses";
import { jsonBody } from "./middleware/json-body";
import { requestLogging } from "./middleware/request-logging";
import { responseHeaders } from "./middleware/response-headers";
import type { HttpResult } from "./responses";
import { headerInput, parseInputs } from "./validation";

type Schema = z.ZodMiniType;

const MAX_PATH_PARAMETER_LENGTH = 256;

const noBody = z.strictObject({});
const pathParameters = z.record(z.string(), z.string());
// A route that reads no query parameter ignores them, as HTTP APIs do; their text is still checked.
const noQuery = z.record(z.string(), z.string());
type HeaderSchema = z.ZodMiniObject;
type Parsed<S> = S extends Schema ? z.infer<S> : undefined;

export interface HandlerInput<P extends string, A extends AuthMode, B, Q, H = undefined> {
  identity: A extends "required" ? Identity : Identity | null;
  caller: Caller;
  body: Parsed<B>;
  query: Parsed<Q>;
  /** The path's parameters, named as in the route's path template. */
  path: PathParameters<P>;
  headers: Record<string, string | undefined>;
  /** The headers the route's `headers` schema names, parsed. */
  validHeaders: Parsed<H>;
  method: string;
  rawPath: string;
}

/**
 * The handler of a route behind API Gateway's JWT authorizer ("required": the authorizer hands over the token's
 * claims), or of the fallback of unknown routes ("none"). A public route's handler is `publicHttpHandler`
 * (shared/http/public-handler.ts), the only one that carries a token verifier.
 */
export function httpHandler<
  A extends "required" | "none",
  B extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  H extends HeaderSchema | undefined = undefined,
  P extends string = string,
>(
  options: HandlerOptions<A, B, Q, H> & { path?: P },
  run: (input: HandlerInput<P, A, B, Q, H>) => Promise<HttpResult>,
) {
  return middlewareStack(options, run);
}

/**
 * The one middleware stack of every HTTP handler. Its order is the contract's order of errors:
 * 401, then 413 and 400, then 403 for the role; the handler's domain call decides 404 and the later 403s.
 */
export function middlewareStack<
  A extends AuthMode,
  B extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  H extends HeaderSchema | undefined = undefined,
  P extends string = string,
>(
  options: HandlerOptions<A, B, Q, H> & { path?: P },
  run: (input: HandlerInput<P, A, B, Q, H>) => Promise<HttpResult>,
  verify?: TokenVerifier,
) {
  const stack = middy<StatefulEvent, HttpApiResult, Error, Context>({ timeoutEarlyInMillis: 0 })
    .use(requestLogging())
    .use(businessMetrics(options.answerMetric))
    .use(responseHeaders())
    .use(authentication(options.auth, verify))
    .use(callerLoading())
    .use(jsonBody())
    .use(errorResponses())
    .handler(async (event) => {
      // Body, query, headers and path are checked together, so one 400 lists every bad field of the request.
      const [body, query, validHeaders] = parseInputs([
        // A route that takes no body still refuses fields: nothing a client sends is silently ignored.
        [options.body ?? (options.auth === "none" ? undefined : noBody), event.state.body],
        [options.query ?? (options.auth === "none" ? undefined : noQuery), event.queryStringParameters ?? {}],
        [options.headers, options.headers ? headerInput(options.headers, event.headers ?? {}) : undefined],
        [pathParameters, event.pathParameters ?? {}],
      ]);
      const identity = event.state.identity;
      if (options.roles) requireRole({ identity, account: null }, options.roles);
      const path: Record<string, string> = { ...event.pathParameters } as Record<string, string>;
      // No ID or handle is this long; storage keys have size limits, so such a path names nothing.
      if (Object.values(path).some((value) => value.length > MAX_PATH_PARAMETER_LENGTH)) throw notFound("The resource");
      const caller = event.state.caller;
      const result = await run({
        identity: identity as HandlerInput<P, A, B, Q, H>["identity"],
        caller,
        body: body as Parsed<B>,
        query: (options.query ? query : undefined) as Parsed<Q>,
        // API Gateway binds every parameter of the route's path template.
        path: path as PathParameters<P>,
        headers: event.headers ?? {},
        validHeaders: validHeaders as Parsed<H>,
        method: event.requestContext?.http?.method ?? "GET",
        rawPath: event.rawPath ?? "/",
      });
      return {
        statusCode: result.statusCode,
        ...(result.headers ? { headers: result.headers } : {}),
        ...(typeof result.raw === "string" ? { body: result.raw } : {}),
        ...(Buffer.isBuffer(result.raw) ? { body: result.raw.toString("base64"), isBase64Encoded: true } : {}),
        ...(result.raw === undefined && result.body !== undefined ? { body: JSON.stringify(result.body) } : {}),
      };
    });
  // What the middlewares learn about the request travels with the event, from a fresh state per invocation. The
  // whole stack runs under the invocation's deadline (shared/deadline.ts): every DynamoDB call, the caller's
  // loading included, ends in time for the 503 that answers a request the function's time ran out for.
  return (event: HttpApiEvent, context: Context): Promise<HttpApiResult> =>
    withinDeadline(context, () =>
      stack(
        { ...event, state: { identity: null, caller: anonymousCaller, body: undefined, startedAt: Date.now() } },
        context,
      ),
    );
}
