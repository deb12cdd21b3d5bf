import type middy from "@middy/core";
import type { HttpApiResult, StatefulEvent } from "../event";

// An API that only answers JSON can afford the strictest browser policy.
export const securityHeaders: Record<string, string> = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=63072000; includeSubDomains",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "cross-origin-resource-policy": "same-origin",
};

function withHeaders(response: HttpApiResult | null | undefined): HttpApiResult | null | undefined {
  if (!response) return response;
  const headers: Record<string, string | number | boolean> = { ...securityHeaders, ...response.headers };
  if (response.statusCode === 204) delete headers["content-type"];
  return { ...response, headers };
}

export const responseHeaders = (): middy.MiddlewareObj<StatefulEvent, HttpApiResult> => ({
  name: "responseHeaders",
  after: (request) => {
    request.response = withHeaders(request.response);
  },
  onError: (request) => {
    request.response = withHeaders(request.response);
  },
});
