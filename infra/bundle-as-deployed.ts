// Every function the stack deploys, bundled exactly as the stack bundles it (infra/bundling.ts: the same options and
// the same build), for the tests that load and inspect the bundles and for the cold-start benchmark.
import { join } from "node:path";
import type { Metafile } from "esbuild";
import { bundleFunction, type FunctionBundle, reachableOutputs } from "./bundling";
import { cleanupSteps } from "./constructs/cleanup-workflow";
import type { RouteDefinition } from "../shared/api/route";
import { fallbackRoute, routeName, routes } from "./routes";
import type { CleanupStepName } from "../shared/use-cases/cleanup/runner";

/** A deployed function and what decides what it may carry. */
export type DeployedFunction = FunctionBundle & { name: string } & (
    { kind: "route"; route: RouteDefinition } | { kind: "fallback" } | { kind: "cleanup-step"; step: CleanupStepName }
  );

/** Every function of the stack: one per route, the fallback of unknown routes, one per cleanup step. */
export const deployedFunctions: readonly DeployedFunction[] = [
  ...routes.map((route) => ({
    kind: "route" as const,
    name: routeName(route),
    entry: route.entry,
    gzippedFiles: route.gzippedFiles ?? [],
    ...(route.readsApiDescription ? { readsApiDescription: true as const } : {}),
    route,
  })),
  { kind: "fallback", name: "RouteNotFound", ...fallbackRoute },
  ...Object.entries(cleanupSteps).map(([step, entry]) => ({
    kind: "cleanup-step" as const,
    name: `Cleanup-${step}`,
    entry,
    step: step as CleanupStepName,
  })),
];

/**
 * Bundles each function into `<outdir>/<name>/`, one esbuild build per function as the stack runs them (a build
 * of several entries would share chunks between them), two at a time (this machine has two cores).
 */
export async function bundleAllAsDeployed(
  functions: readonly (FunctionBundle & { name: string })[],
  outdir: string,
): Promise<Map<string, Metafile>> {
  const metafiles = new Map<string, Metafile>();
  let next = 0;
  const worker = async () => {
    while (next < functions.length) {
      const fn = functions[next++]!;
      metafiles.set(fn.name, await bundleFunction(fn, join(outdir, fn.name)));
    }
  };
  await Promise.all([worker(), worker()]);
  return metafiles;
}

/** One output file of a bundle: its path as the metafile names it, its size in bytes. */
export interface BundleFile {
  path: string;
  bytes: number;
}

/**
 * What Lambda's init loads of a bundle, `index.mjs` and every chunk it imports statically, and what only a dynamic
 * `import()` loads, later and only on the path that needs it (unless a module awaits one at its top level: the
 * cold-start benchmark measures what an import loads). Source maps are neither (Node reads them on an error).
 */
export function filesOf(metafile: Metafile): { init: BundleFile[]; lazy: BundleFile[] } {
  const outputs = metafile.outputs;
  const reachable = reachableOutputs(metafile);
  const index = [...reachable][0]!;
  const init = new Set<string>();
  const visit = (path: string) => {
    if (init.has(path)) return;
    init.add(path);
    for (const imported of outputs[path]!.imports) {
      if (imported.kind === "import-statement" && outputs[imported.path]) visit(imported.path);
    }
  };
  visit(index);
  const file = (path: string): BundleFile => ({ path, bytes: outputs[path]!.bytes });
  return {
    init: [...init].map(file),
    lazy: [...reachable].filter((path) => !init.has(path)).map(file),
  };
}

export const totalBytes = (files: readonly BundleFile[]): number => files.reduce((sum, file) => sum + file.bytes, 0);
