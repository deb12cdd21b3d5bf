import { describe, expect, it } from "vitest";
import { parseAllowedOrigins } from "../../infra/cors";
import { routeName, routes, timeoutSecondsOf } from "../../infra/routes";
import { buildTemplate, resourcesOf } from "./build-app";

// The deployed API's CORS configuration and function timeouts come from the same settings the local host reads.

// The stack as deployed without CORS_ALLOWED_ORIGINS, built once for the tests that read it.
const deployedTemplate = buildTemplate();
const apiOf = (template: ReturnType<typeof buildTemplate>) =>
  resourcesOf(template, "AWS::ApiGatewayV2::Api")[0]![1].Properties;

describe("CORS of the deployed HTTP API", () => {
  it("is configured from CORS_ALLOWED_ORIGINS: the origins, every method the API serves, three headers, a max age", () => {
    const origins = parseAllowedOrigins("https://app.example.com, http://localhost:5173");
    const template = buildTemplate({ corsAllowedOrigins: origins });
    expect(apiOf(template).CorsConfiguration).toEqual({
      AllowOrigins: ["https://app.example.com", "http://localhost:5173"],
      AllowMethods: [...new Set(routes.map((route) => route.method))].sort(),
      AllowHeaders: ["authorization", "content-type", "idempotency-key"],
      ExposeHeaders: ["retry-after"],
      MaxAge: 3600,
    });
  });

  it("is absent when no origin is listed, so browsers on other origins are refused", () => {
    expect(parseAllowedOrigins(undefined)).toEqual([]);
    expect(parseAllowedOrigins(" ")).toEqual([]);
    expect(apiOf(deployedTemplate).CorsConfiguration).toBeUndefined();
  });

  it.each([
    ["a wildcard", "*"],
    ["a path", "https://app.example.com/app"],
    ["a trailing slash", "https://app.example.com/"],
    ["upper case", "https://App.example.com"],
    ["another scheme", "ftp://app.example.com"],
    ["no scheme", "app.example.com"],
    ["a default port spelled out", "https://app.example.com:443"],
  ])("refuses %s in CORS_ALLOWED_ORIGINS, naming the entry (fails closed)", (_what, entry) => {
    expect(() => parseAllowedOrigins(`https://ok.example.com,${entry}`)).toThrow(
      `CORS_ALLOWED_ORIGINS: ${JSON.stringify(entry)} is not an origin`,
    );
  });
});

describe("function timeouts", () => {
  it("deploys every route's function with the timeout the local host enforces for it", () => {
    const functions = resourcesOf(deployedTemplate, "AWS::Lambda::Function");
    for (const route of routes) {
      const [, fn] = functions.find(([id]) => id.startsWith(`${routeName(route)}Function`))!;
      expect(fn.Properties.Timeout, `${route.method} ${route.path}`).toBe(timeoutSecondsOf(route));
    }
  });

  it("refuses a route whose timeout outlasts API Gateway's 30 s integration timeout", () => {
    const slow = { ...routes[0]!, timeoutSeconds: 30 };
    expect(() => buildTemplate({ routes: [slow] })).toThrow("outlasts API Gateway's integration timeout");
  });
});
