import createClient from "openapi-fetch";
import { expectDocumentedAnswer } from "../documented-answers";
import type { components, paths } from "./types";

// The tests' client of the API, typed by the API's own description: `types.ts` is generated from the OpenAPI
// document (`npm run api:types`), and openapi-fetch builds each request from a path template and its parameters. A
// test that sends a body, a parameter or a path the document lacks, or reads an answer's field it lacks, does not
// compile. Every answer is also checked against the document as it arrives: a status, body or header it does not
// allow fails the test that got it. Where a test must send what the document forbids (hostile input, malformed
// JSON, unknown routes), it says so: `unchecked(...)`.
//
// The same client runs in-process against the local host's dispatch (./in-process.ts: the integration tests) or
// over HTTP against a running host, local or deployed (./over-http.ts: the end-to-end tests).

/** A request as the transport sends it. */
export interface SentRequest {
  method: string;
  url: URL;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

/** An answer as the transport received it, as a client reads it: base64 and gzip undone. */
export interface ReceivedAnswer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  text: string;
}

/** Sends one request to a host and hands back its answer. */
export type Transport = (request: SentRequest) => Promise<ReceivedAnswer>;

export type Verb = "get" | "put" | "post" | "patch" | "delete";

/** The documented paths that serve a method (`"/users/{userId}"`...). */
export type PathOf<V extends Verb> = {
  [P in keyof paths]: [paths[P][V]] extends [undefined] ? never : P;
}[keyof paths];

/** The operation at a path and method, as the document describes it. */
export type OperationAt<P extends keyof paths, V extends Verb> = NonNullable<paths[P][V]>;

type ParametersOf<O> = O extends { parameters: infer Parameters } ? Parameters : never;
type PathParameters<O> = ParametersOf<O> extends { path: infer Path } ? Path : never;
type QueryParameters<O> = ParametersOf<O> extends { query?: infer Query } ? NonNullable<Query> : never;
type HeaderParameters<O> = ParametersOf<O> extends { header?: infer Header } ? NonNullable<Header> : never;
type RequestBodyOf<O> = O extends { requestBody?: infer Body } ? NonNullable<Body> : never;
type JsonBodyOf<O> = RequestBodyOf<O> extends { content: { "application/json": infer Json } } ? Json : never;

/** What a call sends besides its path: the path's parameters, the query, the body, the token, headers. */
type Init<O> = ([PathParameters<O>] extends [never] ? { path?: never } : { path: PathParameters<O> }) &
  ([QueryParameters<O>] extends [never] ? { query?: never } : { query?: QueryParameters<O> }) &
  ([JsonBodyOf<O>] extends [never]
    ? { body?: never }
    : O extends { requestBody: unknown }
      ? { body: JsonBodyOf<O> }
      : { body?: JsonBodyOf<O> }) & {
    /** The caller's token: `authorization: Bearer <token>`. */
    token?: string;
    /** Headers to send: the operation's own (`Idempotency-Key`) typed, any other as text. */
    headers?: Partial<{ [Name in keyof HeaderParameters<O>]: string }> & Record<string, string>;
  };

type RequiredKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T];
type InitArguments<O> = [RequiredKeys<Init<O>>] extends [never] ? [init?: Init<O>] : [init: Init<O>];

type SuccessStatus = 200 | 201 | 202 | 204;
type ResponsesOf<O> = O extends { responses: infer Responses } ? Responses : never;
type JsonAnswerOf<R> = R extends { content: { "application/json": infer Json } } ? Json : undefined;

/** The documented statuses of an operation's errors. */
export type ErrorStatusOf<O> = Exclude<keyof ResponsesOf<O>, SuccessStatus> & number;
/** The body of a success, any documented success status. */
export type SuccessBodyOf<O> = {
  [S in keyof ResponsesOf<O>]: S extends SuccessStatus ? JsonAnswerOf<ResponsesOf<O>[S]> : never;
}[keyof ResponsesOf<O>];
type ApiErrorIn<Body> = Body extends { error?: infer ApiError } ? NonNullable<ApiError> : never;
/** The API's error object (`{code, message, ...}`) of the errors documented at a status (all of them by default). */
export type ApiErrorOf<O, S extends ErrorStatusOf<O> = ErrorStatusOf<O>> = ApiErrorIn<
  JsonAnswerOf<ResponsesOf<O>[S & keyof ResponsesOf<O>]>
>;
/** The error codes documented for an operation at a status. */
export type ErrorCodeOf<O, S extends ErrorStatusOf<O>> =
  ApiErrorOf<O, S> extends { code?: infer Code } ? NonNullable<Code> : never;

/** The API's error object, `{code, message, ...}`, of any operation. */
export type ApiError = components["schemas"]["Error"]["error"];

interface AnswerBase extends ReceivedAnswer {
  /** What was asked, e.g. `GET /users/u-1`: failures name it. */
  request: string;
  /** The body, parsed when it is JSON (API Gateway's own bodies included); untyped: read `data` or `error`. */
  json: unknown;
}

/** One answer, read through the operation's documented types. */
export interface Answer<O> extends AnswerBase {
  /** The success body, typed by the document. Reading it from an answer that is not a success throws, naming it. */
  readonly data: SuccessBodyOf<O>;
  /** The API's error object, typed by the document. Reading it from an answer that is not one throws, naming it. */
  readonly error: ApiErrorOf<O>;
}

/** Any answer, whichever operation it came from (and those of `unchecked` requests): its body is not typed. */
export interface AnyAnswer extends AnswerBase {
  readonly data: unknown;
  readonly error: ApiError;
}

function answerOf(request: string, received: ReceivedAnswer): AnyAnswer {
  const isJson = (received.headers["content-type"] ?? "").startsWith("application/json");
  const json: unknown = isJson && received.text !== "" ? JSON.parse(received.text) : undefined;
  const problem = (expected: string) =>
    new Error(`${request} answered ${received.status}, not ${expected}: ${received.text.slice(0, 1000)}`);
  const answer = { request, ...received, json };
  // Not enumerable: an assertion on the whole answer compares what arrived, and reads neither.
  return Object.defineProperties(answer, {
    data: {
      get: () => {
        if (received.status < 200 || received.status > 299) throw problem("a success");
        return json;
      },
    },
    error: {
      get: () => {
        const error = (json as { error?: unknown } | undefined)?.error;
        if (received.status < 400 || typeof error !== "object" || error === null) throw problem("the API's error");
        return error;
      },
    },
  }) as AnyAnswer;
}

/** Options of `unchecked` calls: anything a client could send. */
export interface UncheckedInit {
  token?: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is (malformed JSON, a huge body). */
  rawBody?: string | Buffer;
}

export interface ApiClientOptions {
  /** The host's address; the in-process host answers any. */
  baseUrl: string;
  transport: Transport;
  /** Check every answer against the OpenAPI document (default); off for a test's own routes, outside the API. */
  checkAnswers?: boolean;
}

const withToken = (headers: Record<string, string>, token: string | undefined) =>
  token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` };

function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** A client of the API over `transport`. */
export function apiClient(options: ApiClientOptions) {
  const checkAnswers = options.checkAnswers ?? true;

  async function exchange(sent: SentRequest): Promise<AnyAnswer> {
    const received = await options.transport(sent);
    // A CORS preflight is API Gateway's own answer (its CORS configuration), not an operation of the document.
    const preflight = sent.method === "OPTIONS" && sent.headers["access-control-request-method"] !== undefined;
    if (checkAnswers && !preflight) expectDocumentedAnswer(sent.method, sent.url.href, received);
    return answerOf(`${sent.method} ${sent.url.pathname}${sent.url.search}`, received);
  }

  // openapi-fetch builds the request (path parameters, query, JSON body); this fetch hands it to the transport.
  const answers = new WeakMap<Response, AnyAnswer>();
  const fetchThroughTransport = async (request: Request): Promise<Response> => {
    const answer = await exchange({
      method: request.method,
      url: new URL(request.url),
      headers: lowerCased(Object.fromEntries(request.headers)),
      body: Buffer.from(await request.arrayBuffer()),
    });
    const noBody = answer.status === 204 || answer.text === "";
    const response = new Response(noBody ? null : answer.text, { status: answer.status, headers: answer.headers });
    answers.set(response, answer);
    return response;
  };
  const client = createClient<paths>({ baseUrl: options.baseUrl, fetch: fetchThroughTransport });

  function call<V extends Verb>(verb: V) {
    return async <P extends PathOf<V>>(
      path: P,
      ...[init]: InitArguments<OperationAt<P, V>>
    ): Promise<Answer<OperationAt<P, V>>> => {
      const {
        path: pathParameters,
        query,
        body,
        token,
        headers,
      } = (init ?? {}) as Init<unknown> & {
        path?: Record<string, string>;
        query?: Record<string, unknown>;
        body?: unknown;
      };
      const { response } = await client.request(
        verb,
        path as never,
        {
          params: { path: pathParameters, query },
          ...(body === undefined ? {} : { body }),
          // Every request of the tests says it sends JSON, as API clients do.
          headers: withToken({ "content-type": "application/json", ...headers }, token),
          parseAs: "text",
        } as never,
      );
      return answers.get(response)! as unknown as Answer<OperationAt<P, V>>;
    };
  }

  return {
    GET: call("get"),
    PUT: call("put"),
    POST: call("post"),
    PATCH: call("patch"),
    DELETE: call("delete"),
    /**
     * A request the document does not allow, sent as it is: hostile or malformed input, an unknown route or method,
     * a path that is not one of the document's. Its answer is still checked against the document.
     */
    unchecked(method: string, path: string, init: UncheckedInit = {}): Promise<AnyAnswer> {
      const body =
        init.rawBody !== undefined
          ? Buffer.from(init.rawBody)
          : init.body === undefined
            ? Buffer.alloc(0)
            : Buffer.from(JSON.stringify(init.body));
      return exchange({
        method,
        url: new URL(`${options.baseUrl.replace(/\/+$/, "")}${path}`),
        headers: withToken({ "content-type": "application/json", ...lowerCased(init.headers ?? {}) }, init.token),
        body,
      });
    },
  };
}

export type ApiClient = ReturnType<typeof apiClient>;
