import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { dispatch } from "../../infra/local/server";
import { apiDescriptionDocument } from "../../infra/api-description";
import { referenceScriptFile } from "../../shared/api/reference-page";
import { api, jwtSecret, tokenFor } from "../support/api/in-process";
import { given } from "../support/given";

// GET /openapi.json, GET /docs and the page's script, through the local server's dispatch.

const LAMBDA_MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
const script = readFileSync(referenceScriptFile.source);

/** The function's answer to the script's request, as Lambda hands it to API Gateway. */
const lambdaAnswerToScriptRequest = (headers: Record<string, string>) =>
  dispatch(
    {
      method: "GET",
      url: new URL("/docs/reference.js", "http://localhost"),
      headers,
      body: Buffer.alloc(0),
      sourceIp: "127.0.0.1",
    },
    { jwtSecret: jwtSecret() },
  );
/** Its size as Lambda counts it: the serialized result object. */
const sizeOf = (answer: unknown) => Buffer.byteLength(JSON.stringify(answer));

describe("the API's description", () => {
  it("answers its OpenAPI document at GET /openapi.json, to anyone", async () => {
    const response = await api.GET("/openapi.json");
    expect(response.status).toBe(200);
    // Byte for byte: the document's order does not depend on which handlers the process has loaded.
    expect(response.text).toBe(JSON.stringify(apiDescriptionDocument()));
    expect(response.data.openapi).toBe("3.1.1");
  });

  it("verifies a token sent to it, as on every public route", async () => {
    const reader = await given.aReader();
    expect((await api.GET("/openapi.json", { token: reader.token })).status).toBe(200);
    const forged = tokenFor(reader.userId, [], {}, "another-secret");
    const refused = await api.GET("/openapi.json", { token: forged });
    expect([refused.status, refused.error.code]).toEqual([401, "unauthorized"]);
  });

  it("answers the reference page at GET /docs, allowed to load from this host only", async () => {
    const response = await api.GET("/docs");
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(response.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(response.headers["content-security-policy"]).toContain("connect-src 'self'");
    expect(response.text).toContain('data-url="openapi.json"');
    expect(response.text).toContain('<script src="docs/reference.js">');
    expect(response.text).toContain('"withDefaultFonts":false');
  });

  it("sends the page's script gzip-compressed to clients that accept it, and as it is to others", async () => {
    const compressed = await api.GET("/docs/reference.js", { headers: { "accept-encoding": "gzip, deflate, br" } });
    expect([compressed.status, compressed.headers["content-encoding"], compressed.headers.vary]).toEqual([
      200,
      "gzip",
      "accept-encoding",
    ]);
    expect(compressed.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(compressed.headers["cache-control"]).toBe("public, max-age=86400");
    expect(compressed.text).toBe(script.toString("utf8"));

    const plain = await api.GET("/docs/reference.js", { headers: { "accept-encoding": "gzip;q=0, identity" } });
    expect([plain.status, plain.headers["content-encoding"]]).toEqual([200, undefined]);
    expect(plain.text).toBe(script.toString("utf8"));
  });

  it("keeps both forms of the script within Lambda's 6 MB answer, the compressed one far within", async () => {
    const compressed = await lambdaAnswerToScriptRequest({ "accept-encoding": "gzip" });
    const plain = await lambdaAnswerToScriptRequest({});
    expect(sizeOf(compressed)).toBeLessThan(LAMBDA_MAX_RESPONSE_BYTES / 2);
    expect(sizeOf(plain)).toBeLessThan(LAMBDA_MAX_RESPONSE_BYTES);
    expect(compressed.isBase64Encoded).toBe(true);
    expect(gunzipSync(Buffer.from(compressed.body ?? "", "base64")).equals(script)).toBe(true);
  });
});
