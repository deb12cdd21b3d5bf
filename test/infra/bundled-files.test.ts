import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { App, Stack } from "aws-cdk-lib";
import { afterAll, describe, expect, it } from "vitest";
import { HandlerFunction } from "../../infra/constructs/handler-function";
import { lambdaContext, prepareInvocation } from "../../infra/local/server";
import { routes } from "../../infra/routes";
import type { HttpApiEvent, HttpApiResult } from "../../shared/http/event";
import { jwtSecret } from "../support/api";

// The reference page's script reaches the deployed function as a gzip-compressed file beside its bundle: bundled
// here as `cdk synth` bundles it (esbuild, then the after-bundling commands), then the bundle itself answers.

const route = routes.find((candidate) => candidate.path === "/docs/reference.js")!;
const outdir = mkdtempSync(join(tmpdir(), "bundled-files-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function synthesizeTheScriptsFunction(): string {
  const app = new App({ outdir });
  new HandlerFunction(new Stack(app, "Bundling"), "Script", { entry: route.entry, environment: {}, gzippedFiles: route.gzippedFiles });
  app.synth();
  const assets = readdirSync(outdir).filter((name) => name.startsWith("asset.") && existsSync(join(outdir, name, "index.mjs")));
  expect(assets).toHaveLength(1);
  return join(outdir, assets[0]!);
}

describe("files bundled beside a function", () => {
  it("writes the reference script gzip-compressed beside the bundle, which answers with it", async () => {
    expect(route.gzippedFiles?.map((file) => file.bundled)).toEqual(["reference.js.gz"]);
    const bundle = synthesizeTheScriptsFunction();
    const bundled = readFileSync(join(bundle, "reference.js.gz"));
    expect(gunzipSync(bundled).equals(readFileSync(route.gzippedFiles![0]!.source))).toBe(true);

    // The bundle finds the file beside itself: no node_modules there to fall back on.
    const { handler } = (await import(pathToFileURL(join(bundle, "index.mjs")).href)) as {
      handler: (event: HttpApiEvent, context: ReturnType<typeof lambdaContext>) => Promise<HttpApiResult>;
    };
    const prepared = prepareInvocation(
      {
        method: "GET",
        url: new URL("/docs/reference.js", "http://localhost"),
        headers: { "accept-encoding": "gzip" },
        body: Buffer.alloc(0),
        sourceIp: "127.0.0.1",
      },
      { jwtSecret: jwtSecret() },
    );
    if (prepared.kind !== "invoke") throw new Error("the request was refused before the function");
    const answer = await handler(prepared.event, lambdaContext("Script"));
    expect([answer.statusCode, answer.isBase64Encoded]).toEqual([200, true]);
    expect(Buffer.from(answer.body ?? "", "base64").equals(bundled)).toBe(true);
  }, 120_000);
});
