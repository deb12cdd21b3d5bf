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

/**
 * The shell commands that write a function's `gzippedFiles` (infra/routes.ts) beside its bundle: run by the CDK
 * stack after esbuild (NodejsFunction's afterBundling hook) and by the cold-start benchmark alike.
 */
export function gzippedFileCommands(
  files: readonly { source: string; bundled: string }[],
  projectDir: string,
  bundleDir: string,
): string[] {
  return files.map((file) => `gzip -9 -n -c "${projectDir}/${file.source}" > "${bundleDir}/${file.bundled}"`);
}
