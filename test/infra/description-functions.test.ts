import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { App, Stack } from "aws-cdk-lib";
import { afterAll, describe, expect, it } from "vitest";
import { HandlerFunction } from "../../infra/constructs/handler-function";
import { lambdaContext } from "../../infra/local/lambda-context";
import { prepareInvocation } from "../../infra/local/server";
import { routes } from "../../infra/routes";
import { apiDescriptionDocument } from "../../infra/api-description";
import type { HttpApiEvent, HttpApiResult } from "../../shared/http/event";
import { jwtSecret } from "../support/api/in-process";

// The description as deployed: the functions of GET /openapi.json and of the reference page's script, bundled as
// `cdk synth` bundles them (esbuild, then the after-bundling commands), then the bundles themselves answer.

const routeAt = (path: string) => routes.find((candidate) => candidate.path === path)!;
const outdir = mkdtempSync(join(tmpdir(), "description-functions-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

type Handler = (event: HttpApiEvent, context: ReturnType<typeof lambdaContext>) => Promise<HttpApiResult>;

/** The route's function bundled by the CDK stack's construct: its asset directory. */
function synthesizeTheFunctionOf(path: string): string {
  const route = routeAt(path);
  const app = new App({ outdir: mkdtempSync(join(outdir, "app-")) });
  new HandlerFunction(new Stack(app, "Bundling"), "Fn", {
    entry: route.entry,
    environment: {},
    gzippedFiles: route.gzippedFiles,
    readsApiDescription: route.readsApiDescription,
  });
  const assembly = app.synth().directory;
  const assets = readdirSync(assembly).filter(
    (name) => name.startsWith("asset.") && existsSync(join(assembly, name, "index.mjs")),
  );
  expect(assets).toHaveLength(1);
  return join(assembly, assets[0]!);
}

/** A GET request as API Gateway hands it to the bundle's handler. */
async function answerOf(bundle: string, path: string, headers: Record<string, string> = {}): Promise<HttpApiResult> {
  const { handler } = (await import(pathToFileURL(join(bundle, "index.mjs")).href)) as { handler: Handler };
  const prepared = prepareInvocation(
    { method: "GET", url: new URL(path, "http://localhost"), headers, body: Buffer.alloc(0), sourceIp: "127.0.0.1" },
    { jwtSecret: jwtSecret() },
  );
  if (prepared.kind !== "invoke") throw new Error("the request was refused before the function");
  return handler(prepared.event, lambdaContext("Fn"));
}

describe("the description's functions as deployed", () => {
  it("GET /docs/reference.js carries the script gzip-compressed beside its bundle, and answers with it", async () => {
    const { gzippedFiles } = routeAt("/docs/reference.js");
    expect(gzippedFiles?.map((file) => file.bundled)).toEqual(["reference.js.gz"]);
    const bundle = synthesizeTheFunctionOf("/docs/reference.js");
    const bundled = readFileSync(join(bundle, "reference.js.gz"));
    expect(gunzipSync(bundled).equals(readFileSync(gzippedFiles![0]!.source))).toBe(true);

    // The bundle finds the file beside itself: there is no node_modules there to fall back on.
    const answer = await answerOf(bundle, "/docs/reference.js", { "accept-encoding": "gzip" });
    expect([answer.statusCode, answer.isBase64Encoded]).toEqual([200, true]);
    expect(Buffer.from(answer.body ?? "", "base64").equals(bundled)).toBe(true);
  }, 120_000);

  it("GET /openapi.json carries the document beside its bundle, and answers it", async () => {
    const bundle = synthesizeTheFunctionOf("/openapi.json");
    const document = JSON.stringify(apiDescriptionDocument());
    expect(readFileSync(join(bundle, "openapi.json"), "utf8")).toBe(document);
    const answer = await answerOf(bundle, "/openapi.json");
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toBe(document);
  }, 120_000);
});
