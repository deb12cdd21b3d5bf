import { gunzipSync } from "node:zlib";
import { dispatch, type LocalServerOptions } from "../../../infra/local/server";
import { signHs256 } from "../../../shared/http/jwt-hs256";
import { apiClient, type ReceivedAnswer, type SentRequest, type Transport } from "./client";

// The integration tests' host: the local host's dispatch in this process, exactly as the local server runs a request
// (every route, the local JWT authorizer, a real API Gateway v2 event, the real handler), without a socket between.

/** The secret the local authorizer and the handlers verify with (read at call time: benchmarks set it late). */
export const jwtSecret = (): string => process.env.LOCAL_JWT_SECRET ?? "test-secret";

/** A token the local host accepts (HS256 with `jwtSecret`), as `npm run token` prints one. */
export function tokenFor(
  sub: string,
  groups: string[] = [],
  extra: Record<string, unknown> = {},
  secret = jwtSecret(),
): string {
  const now = Math.floor(Date.now() / 1000);
  return signHs256({ sub, "cognito:groups": groups, iat: now, exp: now + 3600, ...extra }, secret);
}

/** What a client reads of the host's result: base64 undone (as API Gateway does), gzip undone (as HTTP clients do). */
function asReceived(result: Awaited<ReturnType<typeof dispatch>>): ReceivedAnswer {
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
  let bytes = result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : Buffer.from(result.body ?? "");
  if (headers["content-encoding"] === "gzip") bytes = gunzipSync(bytes);
  return { status: result.statusCode ?? 200, headers, text: bytes.toString("utf8") };
}

/** The local host in this process; `host` sets its options (CORS origins, a test's own routes). */
function inProcessTransport(host: Partial<LocalServerOptions> = {}): Transport {
  return async (request: SentRequest) =>
    asReceived(
      await dispatch(
        {
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: request.body,
          sourceIp: "127.0.0.1",
        },
        { jwtSecret: jwtSecret(), ...host },
      ),
    );
}

/** A client of the local host in this process, with its options. A test's own routes are not the API's. */
export const inProcessApi = (host: Partial<LocalServerOptions> = {}) =>
  apiClient({ baseUrl: "http://localhost", transport: inProcessTransport(host), checkAnswers: !host.routeTable });

/** The API as the integration tests call it. */
export const api = inProcessApi();
