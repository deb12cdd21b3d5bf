import type { HttpApiResult } from "../../shared/http/event";
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS, type CorsSettings } from "../cors";
import type { IncomingRequest } from "./api-gateway-event";

// CORS as API Gateway's HTTP API applies its CORS configuration (the local host's half of infra/cors.ts):
// it answers every preflight itself (no route, no authorizer, no function), adds the headers to every answer for a
// listed origin, its own answers included, and ignores CORS headers from the integration.

function header(request: IncomingRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A browser's preflight: OPTIONS with `Origin` and `Access-Control-Request-Method`. */
export function isPreflight(request: IncomingRequest): boolean {
  return (
    request.method === "OPTIONS" &&
    header(request, "origin") !== undefined &&
    header(request, "access-control-request-method") !== undefined
  );
}

function allowedOrigin(cors: CorsSettings, request: IncomingRequest): string | null {
  const origin = header(request, "origin");
  return origin !== undefined && cors.allowOrigins.includes(origin) ? origin : null;
}

/** 204, with the CORS headers only for a listed origin: to any other the browser then refuses the request. */
export function preflightAnswer(cors: CorsSettings, request: IncomingRequest): HttpApiResult {
  const origin = allowedOrigin(cors, request);
  if (!origin) return { statusCode: 204, headers: {} };
  return {
    statusCode: 204,
    headers: {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": cors.allowMethods.join(","),
      "access-control-allow-headers": CORS_ALLOWED_HEADERS.join(","),
      "access-control-max-age": String(CORS_MAX_AGE_SECONDS),
      vary: "origin",
    },
  };
}

/** Any other answer: the integration's CORS headers dropped; for a listed origin, the configured ones added. */
export function withCorsHeaders(cors: CorsSettings, request: IncomingRequest, result: HttpApiResult): HttpApiResult {
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).filter(([name]) => !name.toLowerCase().startsWith("access-control-")),
  );
  const origin = allowedOrigin(cors, request);
  if (origin) {
    headers["access-control-allow-origin"] = origin;
    headers["access-control-expose-headers"] = CORS_EXPOSED_HEADERS.join(",");
    const vary = headers.vary === undefined ? "" : String(headers.vary);
    headers.vary = /\borigin\b/i.test(vary) ? vary : [vary, "origin"].filter(Boolean).join(", ");
  }
  return { ...result, headers };
}
