import type * as z from "zod/mini";
import type { Role } from "../domain/roles";
import type { ErrorCode } from "../errors";
import type { BusinessMetric } from "../observability-names";

// What a route is, declared once: one module per route in shared/api/routes/ (its name is its handler's), read by
// its handler (the middleware stack: auth, roles, inputs, its business metric), by the CDK stack and the local host
// (infra/routes.ts gathers every module of that folder) and by the OpenAPI document (shared/api/openapi.ts).
// Plain data: no CDK import, so a handler bundles its own route's definition and schemas, and no other route's.

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Who may call: "required", a signed-in caller (API Gateway's JWT authorizer guards the route, so a missing or bad
 * token gets the authorizer's own 401); "optional", anyone (the contract's *public*: no authorizer, and a token
 * sent all the same is verified by the handler, which answers 401 `unauthorized` when it fails).
 */
export type Auth = "required" | "optional";

/** A DynamoDB action an IAM policy may grant on the table (transactions are granted item by item). */
export type TableAction =
  | "GetItem"
  | "BatchGetItem"
  | "Query"
  | "PutItem"
  | "UpdateItem"
  | "DeleteItem"
  | "BatchWriteItem"
  | "ConditionCheckItem";

/**
 * What every request that carries a token does: it loads the caller's account (Query: the profile and its count
 * shards) and marks the caller active (a conditional UpdateItem of that account; contract: Activity). A request of a
 * deactivated account within its grace restores it (contract 1.2; shared/use-cases/cleanup/restore.ts: the flip and
 * the relations it settles within its budget, each a transaction that puts, updates, deletes and checks items; the
 * restore's registry entry by GetItem, each touched account's record by PutItem), and a request that withdraws a
 * notice schedule takes the caller out of its followees' outlooks (the same kinds of writes), whatever the route.
 */
export const callerAccess = [
  "Query",
  "UpdateItem",
  "GetItem",
  "PutItem",
  "DeleteItem",
  "ConditionCheckItem",
] as const satisfies readonly TableAction[];

/** A route's grant: what every signed-in request does, and what its own code calls besides (each action once). */
export const withCaller = (...own: TableAction[]): TableAction[] => [
  ...new Set<TableAction>([...callerAccess, ...own]),
];

/** The OpenAPI tags, one per part of the contract (shared/api/overview.ts describes each). */
export type Tag = "Accounts" | "Posts" | "Following" | "Comments" | "Cleanup" | "Service";

type SuccessStatus = 200 | 201 | 202 | 204;

interface Answer {
  description: string;
  /** The JSON body's schema (it must carry a documented `id`); absent: no body, or not JSON (see `contentType`). */
  schema?: z.ZodMiniType;
  /** A body that is not JSON: its media type (`text/html`...). */
  contentType?: string;
}

/** A business event an answer alone proves: the route's success status that means it happened. */
export interface AnswerMetric {
  status: SuccessStatus;
  metric: BusinessMetric;
}

type Schema = z.ZodMiniType;
type HeaderSchema = z.ZodMiniObject;

/** What the handler's middleware stack reads of a route (the `$default` fallback, with no route, sets only auth). */
export interface HandlerOptions<
  A extends Auth | "none",
  B extends Schema | undefined,
  Q extends Schema | undefined,
  H extends HeaderSchema | undefined,
> {
  /** "none": the token is not looked at (only for the fallback of unknown routes). */
  auth: A;
  /** Roles from the token's groups that may call the route (403 `forbidden` otherwise). */
  roles?: readonly Role[];
  /** The JSON body's schema; absent: the route takes no body (a body with fields is refused). */
  body?: B;
  /** The query parameters' schema; absent: query parameters are ignored, as HTTP APIs do. */
  query?: Q;
  /**
   * Request headers the route reads, keyed by their canonical names (`Idempotency-Key`), matched
   * case-insensitively; a bad value is a 400 `validation_failed` detail named after the header.
   */
  headers?: H;
  /**
   * The business event an answer alone proves: its success status. Counted by the middleware stack; events an
   * answer cannot tell apart are counted by the use cases (shared/observability-names.ts says which).
   */
  answerMetric?: AnswerMetric;
}

export interface RouteDefinition<
  P extends string = string,
  A extends Auth = Auth,
  B extends Schema | undefined = Schema | undefined,
  Q extends Schema | undefined = Schema | undefined,
  H extends HeaderSchema | undefined = HeaderSchema | undefined,
> extends HandlerOptions<A, B, Q, H> {
  // Where it is served.
  method: HttpMethod;
  /** API Gateway's path template, e.g. `/users/{userId}`; its parameters type the handler's `path`. */
  path: P;
  /** The handler's file, relative to the project root: functions/http/<this module's name>.ts; it exports `handler`. */
  entry: string;

  // What it takes and answers: its operation in the OpenAPI document.
  /** The operation's name in generated clients (`publishPost`); unique. */
  operationId: string;
  tag: Tag;
  /** A few words, shown as the operation's title. */
  summary: string;
  /** For a client developer: what it does, who may call it, what to expect; Markdown. */
  description: string;
  /** Every successful answer. */
  answers: Partial<Record<SuccessStatus, Answer>>;
  /**
   * The error codes particular to this operation. Those its shape implies are added by the document generator:
   * every operation's `validation_failed`, `malformed_json`, `payload_too_large`, `unauthorized`, `unavailable`;
   * `forbidden` with `roles`, `invalid_cursor` for lists, `not_found` for paths with parameters.
   */
  errors?: readonly ErrorCode[];

  // How it is deployed, in AWS and on the local host alike.
  /**
   * The function's IAM grant: exactly the DynamoDB actions its code calls, each on the table (no route reads an
   * index: read-your-writes). Proven both ways by test/integration/iam.test.ts: a call the grant lacks, or a grant
   * no call uses, fails the tests, naming the route and the action.
   */
  tableAccess: readonly TableAction[];
  /**
   * The function's timeout in seconds (default DEFAULT_TIMEOUT_SECONDS, infra/routes.ts), read by the CDK stack and
   * by the local host alike, so a handler that runs longer fails here as it would in AWS. At most 29: API
   * Gateway's integration timeout (30 s) would answer 503 before a longer function ended.
   */
  timeoutSeconds?: number;
  /**
   * The route starts cleanup runs: in AWS its function may start executions of the cleanup state machine (that
   * one action on that one state machine) and gets CLEANUP_RUNNER=step-functions.
   */
  startsCleanup?: true;
  /**
   * Files the handler reads at run time: in AWS, gzip-compressed copies written beside its bundle when the stack
   * bundles it (`bundled`: the copy's name there); locally, read from the project (`source`).
   */
  gzippedFiles?: readonly { source: string; bundled: string }[];
  /**
   * The handler reads the API's description, the OpenAPI document of every route (shared/api/description.ts): the
   * stack writes it beside its bundle, so that no function bundles every route's schemas to build it.
   */
  readsApiDescription?: true;
}

/** Declares a route, keeping its path and schemas' types for the handler that runs with it. */
export function defineRoute<
  P extends string,
  A extends Auth,
  B extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  H extends HeaderSchema | undefined = undefined,
>(definition: RouteDefinition<P, A, B, Q, H>): RouteDefinition<P, A, B, Q, H> {
  return definition;
}

/** `METHOD /path`, as API Gateway names a route (`GET /users/{userId}`). */
export const routeKeyOf = (route: Pick<RouteDefinition, "method" | "path">): string => `${route.method} ${route.path}`;

type PathParameterNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParameterNames<Rest>
  : never;

/** The parameters of a path template, by name: `/users/{userId}/posts` -> `{ userId: string }`. */
export type PathParameters<P extends string> = string extends P
  ? Record<string, string>
  : { [Name in PathParameterNames<P>]: string };
