// CORS, from one setting read by both hosts: CORS_ALLOWED_ORIGINS (comma-separated origins; default none). The
// CDK stack turns it into the HTTP API's CORS configuration, the local server answers as API Gateway then does.
// Plain code, no CDK import.
import type { HttpMethod, RouteDefinition } from "../shared/api/route";
import { routes as routeTable } from "./routes";

/** The request headers a browser may send: the token, the JSON body's type, and the idempotency key. */
export const CORS_ALLOWED_HEADERS = ["authorization", "content-type", "idempotency-key"] as const;
/** Response headers a browser script may read beyond the safelisted ones: when to retry a 429 or 503. */
export const CORS_EXPOSED_HEADERS = ["retry-after"] as const;
/** How long a browser may cache a preflight's answer (Chromium caps it at 2 hours). */
export const CORS_MAX_AGE_SECONDS = 3600;

export interface CorsSettings {
  allowOrigins: readonly string[];
  allowMethods: readonly HttpMethod[];
}

/**
 * The origins of CORS_ALLOWED_ORIGINS, each exactly as a browser sends it in `Origin` (scheme, host, port:
 * `https://app.example.com`). Fails closed: anything else (a path, a trailing slash, upper case, `*`, another
 * scheme) throws, naming the entry, rather than allowing more or less than was meant.
 */
export function parseAllowedOrigins(value: string | undefined): string[] {
  const entries = (value ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    let origin: string | undefined;
    try {
      const url = new URL(entry);
      if (url.protocol === "https:" || url.protocol === "http:") origin = url.origin;
    } catch {
      origin = undefined;
    }
    if (origin !== entry) {
      throw new Error(
        `CORS_ALLOWED_ORIGINS: ${JSON.stringify(entry)} is not an origin: write each as a browser sends it, ` +
          "scheme://host[:port] in lower case, without a path or a trailing slash (e.g. https://app.example.com)",
      );
    }
  }
  return [...new Set(entries)];
}

/** The CORS settings for these routes: the listed origins and every method the API serves. */
export function corsSettings(
  allowOrigins: readonly string[],
  routes: readonly Pick<RouteDefinition, "method">[] = routeTable,
): CorsSettings {
  return { allowOrigins, allowMethods: [...new Set(routes.map((route) => route.method))].sort() };
}
