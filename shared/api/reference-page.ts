import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { content, type HttpResult } from "../http/responses";

// The reference page at GET /docs: Scalar's API reference rendered in the browser from /openapi.json, its script
// served by this API too (GET /docs/reference.js), so that the page loads nothing from another host.

/**
 * Scalar's standalone bundle: one self-contained script (4.9 MB; 1.4 MB gzip-compressed). In AWS the stack
 * bundles its gzip-compressed copy beside the handler (its route's `gzippedFiles`), because a Lambda answer
 * holds at most 6 MB and clients get it compressed anyway; locally it is read from node_modules.
 */
export const referenceScriptFile = {
  source: "node_modules/@scalar/api-reference/dist/browser/standalone.js",
  bundled: "reference.js.gz",
} as const;

/**
 * Scalar's configuration: nothing that reaches Scalar's own services. Its default fonts come from
 * fonts.scalar.com, its agent chat and MCP integration talk to Scalar's servers, and telemetry is on by default.
 */
const scalarConfiguration = {
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: "never",
  defaultOpenAllTags: true,
  authentication: { preferredSecurityScheme: "bearer" },
  documentDownloadType: "json",
  metaData: { title: "Trading community API reference" },
};

/** What the page may load: this host only. Scalar injects its styles at run time, hence inline styles. */
const referencePagePolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const escapeAttribute = (value: string) => value.replaceAll("&", "&amp;").replaceAll("'", "&#39;");

// Relative URLs: from /docs they name /openapi.json and /docs/reference.js, also under a custom domain's base path.
const referencePageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trading community API reference</title>
<link rel="icon" href="data:,">
</head>
<body>
<script id="api-reference" data-url="openapi.json" data-configuration='${escapeAttribute(JSON.stringify(scalarConfiguration))}'></script>
<script src="docs/reference.js"></script>
</body>
</html>
`;

export function referencePageAnswer(): HttpResult {
  return content(referencePageHtml, {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": referencePagePolicy,
    "cache-control": "no-cache",
  });
}

let gzippedScript: Buffer | undefined;

/** The script, gzip-compressed: the copy beside the Lambda bundle, else node_modules' compressed once. */
function referenceScriptGzipped(): Buffer {
  if (!gzippedScript) {
    const bundled = fileURLToPath(new URL(`./${referenceScriptFile.bundled}`, import.meta.url));
    gzippedScript = existsSync(bundled)
      ? readFileSync(bundled)
      : gzipSync(readFileSync(resolve(import.meta.dirname, "../..", referenceScriptFile.source)), { level: 9 });
  }
  return gzippedScript;
}

/** Whether an `Accept-Encoding` header accepts gzip (`gzip` or `*`, not with `q=0`). */
function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return (acceptEncoding ?? "").split(",").some((entry) => {
    const [coding, ...parameters] = entry.split(";").map((part) => part.trim().toLowerCase());
    const quality = parameters.find((parameter) => parameter.startsWith("q="));
    return (coding === "gzip" || coding === "*") && (quality === undefined || Number(quality.slice(2)) > 0);
  });
}

export function referenceScriptAnswer(acceptEncoding: string | undefined): HttpResult {
  const gzipped = referenceScriptGzipped();
  const compressed = acceptsGzip(acceptEncoding);
  return content(compressed ? gzipped : gunzipSync(gzipped).toString("utf8"), {
    "content-type": "text/javascript; charset=utf-8",
    "cache-control": "public, max-age=86400",
    vary: "accept-encoding",
    ...(compressed ? { "content-encoding": "gzip" } : {}),
  });
}
