import { gunzipSync } from "node:zlib";
import { dispatch, type LocalServerOptions } from "../../infra/local/server";
import { signHs256 } from "../../shared/http/jwt-hs256";
import { expectDocumentedAnswer } from "./documented-answers";

/** The secret the local authorizer and the handlers verify with (read at call time: benchmarks set it late). */
export const jwtSecret = (): string => process.env.LOCAL_JWT_SECRET ?? "test-secret";

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  // Tests read response bodies loosely; the assertions pin down their shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

/**
 * Calls the API in-process exactly as the local server does (route table, local JWT authorizer, a real
 * API Gateway v2 event, the real handler), without a socket in between. `host` sets the local host's options
 * (CORS origins, a test's own route table). Every answer is checked against the OpenAPI document: one it does
 * not allow fails the test that got it.
 */
export async function call(
  method: string,
  path: string,
  options: CallOptions = {},
  host: Partial<LocalServerOptions> = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const body =
    options.rawBody !== undefined
      ? Buffer.from(options.rawBody)
      : options.body === undefined
        ? Buffer.alloc(0)
        : Buffer.from(JSON.stringify(options.body));
  const result = await dispatch(
    { method, url: new URL(path, "http://localhost"), headers, body, sourceIp: "127.0.0.1" },
    { jwtSecret: jwtSecret(), ...host },
  );
  const responseHeaders = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
  // What a client reads: base64 undone (as API Gateway does), gzip undone (as an HTTP client does).
  let bytes = result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : Buffer.from(result.body ?? "");
  if (responseHeaders["content-encoding"] === "gzip") bytes = gunzipSync(bytes);
  const answer = { status: result.statusCode ?? 200, headers: responseHeaders, text: bytes.toString("utf8") };
  // A test's own route table (test-only handlers) is not the API: the document describes only the real one. A
  // CORS preflight is API Gateway's own answer (its CORS configuration), not an operation of the document.
  const preflight = method === "OPTIONS" && headers["access-control-request-method"] !== undefined;
  if (!host.routeTable && !preflight) expectDocumentedAnswer(method, path, answer);
  const isJson = (responseHeaders["content-type"] ?? "").startsWith("application/json");
  return { ...answer, body: isJson && answer.text ? (JSON.parse(answer.text) as unknown) : undefined };
}

export const api = {
  get: (path: string, options?: CallOptions) => call("GET", path, options),
  put: (path: string, options?: CallOptions) => call("PUT", path, options),
  post: (path: string, options?: CallOptions) => call("POST", path, options),
  patch: (path: string, options?: CallOptions) => call("PATCH", path, options),
  delete: (path: string, options?: CallOptions) => call("DELETE", path, options),
};

export function tokenFor(
  sub: string,
  groups: string[] = [],
  extra: Record<string, unknown> = {},
  secret = jwtSecret(),
): string {
  const now = Math.floor(Date.now() / 1000);
  return signHs256({ sub, "cognito:groups": groups, iat: now, exp: now + 3600, ...extra }, secret);
}
