import { describe, expect, it } from "vitest";
import { API_GATEWAY_MAX_BODY_BYTES, LAMBDA_MAX_RESPONSE_BYTES } from "../../infra/local/gateway-answers";
import type { HostedRoute, LocalServerOptions } from "../../infra/local/server";
import { api, inProcessApi, tokenFor } from "../support/api/in-process";
import type { AnyAnswer, UncheckedInit } from "../support/api/client";
import { expectAuthorizerRefusal, gatewayBodies } from "../support/gateway";

// The local host plays API Gateway and Lambda as strictly as AWS does (contract 1.1, "Local server"): the
// authorizer's own 401, Lambda's response limit and timeouts, API Gateway's body limit, CORS.

const testRoute = (path: string, extra: Partial<HostedRoute> = {}): HostedRoute => ({
  method: "GET",
  path,
  entry: "test/support/handlers/misbehaving.ts",
  auth: "optional",
  ...extra,
});
const testRoutes: HostedRoute[] = [
  testRoute("/test/throws"),
  testRoute("/test/slow", { timeoutSeconds: 1 }),
  testRoute("/test/remaining", { timeoutSeconds: 7 }),
  testRoute("/test/sized"),
  testRoute("/test/own-cors"),
  testRoute("/test/unloadable", { entry: "test/support/handlers/unloadable.ts" }),
];

/** A request as it is, to the local host in this process with these options (CORS origins, its own routes). */
const call = (method: string, path: string, init: UncheckedInit = {}, host: Partial<LocalServerOptions> = {}) =>
  inProcessApi(host).unchecked(method, path, init);

const onTestRoutes = (path: string, options: UncheckedInit = {}) =>
  call("GET", path, options, { routeTable: testRoutes });

const appOrigin = "https://app.example.com";
const withCors = { corsAllowedOrigins: [appOrigin] };
const preflight = (path: string, origin: string, host = withCors) =>
  call("OPTIONS", path, { headers: { origin, "access-control-request-method": "PUT" } }, host);

function expectInternalServerError(response: AnyAnswer): void {
  expect([response.status, response.json]).toEqual([500, gatewayBodies.internalServerError]);
  expect(response.text).not.toMatch(/USER#|at \w+ \(/);
}

describe("the local host as API Gateway's JWT authorizer", () => {
  it("answers a protected route without a valid token with the authorizer's own 401", async () => {
    expectAuthorizerRefusal(await api.GET("/me"));
    expectAuthorizerRefusal(await api.GET("/me", { headers: { authorization: "Basic abc" } }));
    expectAuthorizerRefusal(await api.GET("/me", { token: tokenFor("someone", [], {}, "another-secret") }));
  });

  it("leaves a public route's token to its handler, which answers the contract's 401", async () => {
    const response = await api.GET("/health", { token: tokenFor("someone", [], {}, "another-secret") });
    expect([response.status, response.error.code]).toEqual([401, "unauthorized"]);
  });
});

describe("the local host as Lambda", () => {
  it("answers 500 in API Gateway's shape when a handler throws, without its message", async () => {
    expectInternalServerError(await onTestRoutes("/test/throws"));
  });

  it("answers 500 when a handler's module refuses to load (its configuration, say)", async () => {
    expectInternalServerError(await onTestRoutes("/test/unloadable"));
  });

  it("answers 500 when a handler runs past its function's timeout, and drops its late answer", async () => {
    const started = Date.now();
    const response = await onTestRoutes("/test/slow");
    expectInternalServerError(response);
    // The answer comes at the timeout (1 s), not when the handler ends (3 s).
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it("gives the handler the remaining time of its own function's timeout", async () => {
    const response = await onTestRoutes("/test/remaining");
    const { remainingMs } = response.json as { remainingMs: number };
    expect(remainingMs).toBeGreaterThan(6_000);
    expect(remainingMs).toBeLessThanOrEqual(7_000);
  });

  it("answers a result up to Lambda's 6 MB response limit, and 500 one byte over it", async () => {
    expect(LAMBDA_MAX_RESPONSE_BYTES).toBe(6_291_556);
    const atLimit = await onTestRoutes(`/test/sized?bytes=${LAMBDA_MAX_RESPONSE_BYTES}`);
    expect(atLimit.status).toBe(200);
    expectInternalServerError(await onTestRoutes(`/test/sized?bytes=${LAMBDA_MAX_RESPONSE_BYTES + 1}`));
  });
});

describe("the local host as API Gateway's body limit", () => {
  it("refuses a body over 10 MB before any handler runs, with API Gateway's own 413", async () => {
    const tooLarge = await api.unchecked("PUT", "/me", { rawBody: Buffer.alloc(API_GATEWAY_MAX_BODY_BYTES + 1, 0x20) });
    expect([tooLarge.status, tooLarge.json]).toEqual([413, gatewayBodies.requestTooLarge]);
    // At the limit the request reaches the handler, which has its own, smaller limit (contract: 256 KiB).
    const atLimit = await api.unchecked("PUT", "/me", {
      token: tokenFor("someone"),
      rawBody: Buffer.alloc(API_GATEWAY_MAX_BODY_BYTES, 0x20),
    });
    expect([atLimit.status, atLimit.error.code]).toEqual([413, "payload_too_large"]);
  });
});

describe("CORS from CORS_ALLOWED_ORIGINS", () => {
  it("answers a preflight from a listed origin itself, with the configured headers, on any path and without a token", async () => {
    for (const path of ["/me", "/users/someone/follow", "/no/such/route"]) {
      const response = await preflight(path, appOrigin);
      expect(response.status).toBe(204);
      expect(response.text).toBe("");
      expect(response.headers).toMatchObject({
        "access-control-allow-origin": appOrigin,
        "access-control-allow-methods": "DELETE,GET,PATCH,POST,PUT",
        "access-control-allow-headers": "authorization,content-type,idempotency-key",
        "access-control-max-age": "3600",
        vary: "origin",
      });
    }
  });

  it("answers a preflight from another origin without any CORS header, so the browser refuses", async () => {
    const response = await preflight("/me", "https://evil.example.com");
    expect(response.status).toBe(204);
    expect(Object.keys(response.headers).filter((name) => name.startsWith("access-control-"))).toEqual([]);
  });

  it("adds the origin and vary: origin to every answer for a listed origin, API Gateway's own and errors included", async () => {
    const headers = { origin: appOrigin };
    const answers = [
      await call("GET", "/health", { headers }, withCors),
      await call("GET", "/me", { headers }, withCors),
      await call("GET", "/no/such/route", { headers }, withCors),
      await call("GET", "/test/throws", { headers }, { ...withCors, routeTable: testRoutes }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 401, 404, 500]);
    for (const answer of answers) {
      expect(answer.headers).toMatchObject({
        "access-control-allow-origin": appOrigin,
        "access-control-expose-headers": "retry-after",
        vary: "origin",
      });
    }
  });

  it("gives other origins no CORS header, and ignores the CORS headers a handler sets", async () => {
    const other = await call("GET", "/health", { headers: { origin: "https://evil.example.com" } }, withCors);
    expect(other.status).toBe(200);
    expect(Object.keys(other.headers).filter((name) => name.startsWith("access-control-"))).toEqual([]);
    const own = await call(
      "GET",
      "/test/own-cors",
      { headers: { origin: "https://evil.example.com" } },
      { ...withCors, routeTable: testRoutes },
    );
    expect(own.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("without origins configured, has no CORS: a preflight goes to $default, which adds no CORS header", async () => {
    const response = await preflight("/me", appOrigin, { corsAllowedOrigins: [] });
    expect(response.status).toBe(204);
    expect(Object.keys(response.headers).filter((name) => name.startsWith("access-control-"))).toEqual([]);
    // Any other OPTIONS request is one more method this path does not answer.
    const options = await call("OPTIONS", "/me", {}, { corsAllowedOrigins: [] });
    expect([options.status, options.error.code]).toEqual([405, "method_not_allowed"]);
  });
});
