// Builds handlers' bundles exactly as the CDK stack has NodejsFunction build them (infra/bundling.ts holds the
// options both read): for the test that loads every bundle before a deploy would, and the cold-start benchmark.
import { execSync } from "node:child_process";
import { build, type BuildOptions } from "esbuild";
import { lambdaBundling, runTimeFileCommands, type RunTimeFiles } from "./bundling";

const asDeployed: BuildOptions = {
  bundle: true,
  platform: "node",
  target: lambdaBundling.target,
  format: lambdaBundling.format,
  minify: lambdaBundling.minify,
  sourcemap: lambdaBundling.sourceMap,
  sourcesContent: lambdaBundling.sourcesContent,
  mainFields: [...lambdaBundling.mainFields],
  banner: { js: lambdaBundling.banner },
  logLevel: "error",
};

/** Bundles `entry` (an absolute path) into `outfile` as the deployed function's `index.mjs`. */
export async function bundleAsDeployed(entry: string, outfile: string): Promise<void> {
  await build({ ...asDeployed, entryPoints: [entry], outfile });
}

/**
 * Bundles many entries at once, each into `<outdir>/<name>/index.mjs`. Without code splitting every entry still
 * gets a bundle of its own, the same as alone; esbuild only parses the modules they share (the AWS SDK) once.
 */
export async function bundleAllAsDeployed(entries: Record<string, string>, outdir: string): Promise<void> {
  await build({
    ...asDeployed,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, entry]) => [`${name}/index`, entry])),
    outdir,
    outExtension: { ".js": ".mjs" },
  });
}

/** Writes a function's run-time files beside its bundle in `bundleDir`, as the stack's bundling does. */
export function writeRunTimeFilesBeside(files: RunTimeFiles, projectDir: string, bundleDir: string): void {
  for (const command of runTimeFileCommands(files, projectDir, bundleDir)) execSync(command);
}
