import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { API_DESCRIPTION_FILE } from "../shared/api/description";
import type { RouteDefinition } from "../shared/api/route";
import { apiDescriptionDocument } from "./api-description";

// How every Lambda handler is bundled, shared by the CDK stack (NodejsFunction) and the cold-start benchmark,
// so the benchmark measures exactly what is deployed.

/**
 * ESM output cannot `require`, yet a few CommonJS dependencies do (and esbuild's shim calls `require` when
 * one exists). The alias keeps the banner from clashing with a bundled module's own `createRequire` import.
 */
const esmRequireBanner =
  "import { createRequire as __bannerCreateRequire } from 'module'; " +
  "const require = __bannerCreateRequire(import.meta.url);";

export const lambdaBundling = {
  target: "node24",
  format: "esm",
  minify: true,
  sourceMap: true,
  // Stack traces map to file and line without shipping the sources themselves in every bundle.
  sourcesContent: false,
  // ESM entry points of the AWS SDK v3 tree-shake to about 60% of the CommonJS build.
  mainFields: ["module", "main"],
  banner: esmRequireBanner,
} as const;

/** What a function reads at run time from beside its bundle (a route's definition says; so does `fallbackRoute`). */
export type RunTimeFiles = Pick<RouteDefinition, "gzippedFiles" | "readsApiDescription">;

let stagedApiDescription: string | undefined;

/** The API's description as a file to copy beside bundles: written once per process, to a directory of its own. */
function apiDescriptionFile(): string {
  if (!stagedApiDescription) {
    stagedApiDescription = join(mkdtempSync(join(tmpdir(), "api-description-")), API_DESCRIPTION_FILE);
    writeFileSync(stagedApiDescription, JSON.stringify(apiDescriptionDocument()));
  }
  return stagedApiDescription;
}

/**
 * The shell commands that write a function's run-time files beside its bundle: its `gzippedFiles`, gzip-compressed,
 * and the API's description where it reads it. Run by the CDK stack after esbuild (NodejsFunction's afterBundling
 * hook) and by the bundle test and the cold-start benchmark alike.
 */
export function runTimeFileCommands(files: RunTimeFiles, projectDir: string, bundleDir: string): string[] {
  return [
    ...(files.gzippedFiles ?? []).map(
      (file) => `gzip -9 -n -c "${projectDir}/${file.source}" > "${bundleDir}/${file.bundled}"`,
    ),
    ...(files.readsApiDescription ? [`cp "${apiDescriptionFile()}" "${bundleDir}/${API_DESCRIPTION_FILE}"`] : []),
  ];
}
