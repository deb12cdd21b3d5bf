// How every Lambda function is bundled: one set of esbuild options and one build, run by the CDK stack (the
// functions' asset, infra/constructs/handler-function.ts), by the test that loads every bundle and by the
// cold-start benchmark, so that what is measured and tested is what is deployed.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import {
  build as buildOnce,
  type BuildOptions,
  context,
  type Metafile,
  type OnResolveArgs,
  type Plugin,
  type PluginBuild,
} from "esbuild";
import type ts from "typescript";
import { API_DESCRIPTION_FILE } from "../shared/api/description";
import type { RouteDefinition } from "../shared/api/route";

/** The repository root: entries are relative to it, and it is esbuild's working directory. */
export const projectRoot = fileURLToPath(new URL("../", import.meta.url));

/**
 * ESM output cannot `require`, yet a few CommonJS dependencies do (and esbuild's shim calls `require` when
 * one exists). The alias keeps the banner from clashing with a bundled module's own `createRequire` import.
 */
const esmRequireBanner =
  "import { createRequire as __bannerCreateRequire } from 'module'; " +
  "const require = __bannerCreateRequire(import.meta.url);";

/**
 * In Lambda the credentials are always in the environment: every SDK client of every bundle reads them there
 * (shared/aws/environment-credentials.ts) instead of carrying the SDK's default chain. Code run from source keeps it.
 */
export const environmentCredentialsAlias = {
  "@aws-sdk/credential-provider-node": "./shared/aws/environment-credentials.ts",
} as const;

/** What every bundle gets in place of a package (code run from source keeps the packages). */
const lambdaAliases = {
  ...environmentCredentialsAlias,
  // The DynamoDB client's endpoint cache, which no function uses (none discovers endpoints), without mnemonist and
  // obliterator (shared/aws/lru-cache.ts): 7 KB less in every bundle.
  "mnemonist/lru-cache": "./shared/aws/lru-cache.ts",
} as const;

/**
 * Modules that only declare values (zod schemas, route definitions): every top-level `const` of theirs is built
 * without side effects, though esbuild cannot tell (zod's builders are calls). Declared pure here, a bundle keeps
 * only the schemas its function uses, not every one of the module (the bundles' metafile test fails on another
 * route's schema or definition in a bundle).
 */
export const declarationModules = [/\/shared\/schemas\/[^/]+\.ts$/, /\/shared\/api\/routes\/[^/]+\.ts$/];

/**
 * Marks each top-level `const` of a declaration module pure for esbuild: `const x = EXPR` becomes
 * `const x = /* @__PURE__ *\/ (() => (EXPR))()`, evaluated where it stood when it is used, dropped when it is not.
 */
function pureDeclarations(): Plugin {
  return {
    name: "pure-declarations",
    setup(bundler) {
      // The TypeScript compiler (its parser) loads with the first build, not with every module that imports this one
      // (the CDK stack's tests, which skip bundling).
      let compiler: Promise<typeof ts> | undefined;
      bundler.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
        if (!declarationModules.some((pattern) => pattern.test(path))) return undefined;
        const ts = await (compiler ??= import("typescript").then((module) => module.default));
        const source = readFileSync(path, "utf8");
        const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
        const initializers = file.statements
          .filter(ts.isVariableStatement)
          .flatMap((statement) => statement.declarationList.declarations.map((declaration) => declaration.initializer))
          .filter((initializer): initializer is ts.Expression => initializer !== undefined);
        // Edits of the source, applied from its end so that earlier positions hold: the OpenAPI words first (they lie
        // inside the initializers), then the wrapping of each initializer.
        const edits: { start: number; end: number; text: (inner: string) => string }[] = [];
        for (const words of openApiWords(ts, file)) edits.push({ ...words, text: () => words.replacement });
        for (const initializer of initializers) {
          const [start, end] = [initializer.getStart(file), initializer.getEnd()];
          edits.push({ start, end, text: (inner) => `/* @__PURE__ */ (() => (${inner}))()` });
        }
        return { contents: applyEdits(source, edits), loader: "ts" };
      });
    },
  };
}

/** A literal text of the source: a string, a template, or a concatenation of them. */
function isText(ts: typeof import("typescript"), node: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(node)) return isText(ts, node.expression);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return isText(ts, node.left) && isText(ts, node.right);
  }
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node);
}

/**
 * The OpenAPI words of a declaration module (a route's summary and descriptions, a schema's `z.describe` and
 * `z.meta` descriptions), as ranges of its source and what a bundle gets in their place. Only the OpenAPI document
 * reads them, and it is built from the sources at deploy (infra/api-description.ts), never from a bundle: each
 * route's own words were 0.4-1.2 KB of every function's init. A `description` or `summary` property of literal
 * text is left out; a `z.describe(text)` keeps its call with an empty text (the schema's registry entry stays), and
 * so does a `const somethingDescription = text` several schemas share.
 */
function openApiWords(
  ts: typeof import("typescript"),
  file: ts.SourceFile,
): { start: number; end: number; replacement: string }[] {
  const found: { start: number; end: number; replacement: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isPropertyAssignment(node) &&
      ts.isIdentifier(node.name) &&
      (node.name.text === "description" || node.name.text === "summary") &&
      isText(ts, node.initializer)
    ) {
      const start = node.getStart(file);
      const comma = /^\s*,/.exec(file.text.slice(node.getEnd()));
      found.push({ start, end: node.getEnd() + (comma?.[0].length ?? 0), replacement: "" });
      return;
    }
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text.endsWith("Description") &&
      node.initializer !== undefined &&
      isText(ts, node.initializer)
    ) {
      // A description several schemas share (`limitDescription`): the text, named once.
      found.push({ start: node.initializer.getStart(file), end: node.initializer.getEnd(), replacement: '""' });
      return;
    }
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === "describe" &&
      node.arguments.length === 1 &&
      isText(ts, node.arguments[0]!)
    ) {
      const text = node.arguments[0]!;
      found.push({ start: text.getStart(file), end: text.getEnd(), replacement: '""' });
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/**
 * Applies edits of a source, given in its positions: an edit within another is applied first, and the enclosing one
 * gets the edited text of its range. Edits do not otherwise overlap.
 */
function applyEdits(source: string, edits: { start: number; end: number; text: (inner: string) => string }[]): string {
  // From the end of the source, so that an edit's start still holds; the inner first at the same start.
  const ordered = [...edits].sort((a, b) => b.start - a.start || a.end - b.end);
  const applied: { start: number; growth: number }[] = [];
  let contents = source;
  for (const edit of ordered) {
    const grown = applied
      .filter((inner) => inner.start >= edit.start && inner.start < edit.end)
      .reduce((sum, inner) => sum + inner.growth, 0);
    const end = edit.end + grown;
    const replaced = edit.text(contents.slice(edit.start, end));
    contents = `${contents.slice(0, edit.start)}${replaced}${contents.slice(end)}`;
    applied.push({ start: edit.start, growth: replaced.length - (end - edit.start) });
  }
  return contents;
}

/**
 * The project's modules (`shared/`) have no side effect a module that imports them relies on: what runs at their top
 * level (a schema, a client, the configuration's check) serves their exports. esbuild, told so, takes a module into a
 * bundle only for what is used of it. Without that, it gives a module to every entry that imports it, used or not,
 * and a module both a function and one of its lazily loaded chunks reach lands in a chunk loaded at init: `GET /me`
 * imported the account use cases, whose entitlement change imports the outlook sync, and so loaded at init the
 * second-chance, outlook and follow stores that only its lazily loaded outlook sync and restore use (11.5 KB).
 */
function projectModulesWithoutSideEffects(): Plugin {
  const shared = join(projectRoot, "shared") + "/";
  const resolving = Symbol("resolving");
  return {
    name: "project-modules-without-side-effects",
    setup(bundler) {
      bundler.onResolve({ filter: /^\.\.?\// }, async (args) => {
        // The SDK's thousands of relative imports are left to esbuild alone (a resolve from here costs more).
        const fromProject = args.importer.startsWith(projectRoot) && !args.importer.includes("/node_modules/");
        if (args.kind !== "import-statement" || args.pluginData === resolving || !fromProject) return undefined;
        const resolved = await resolveAgain(bundler, args, resolving);
        if (resolved.errors.length > 0 || !resolved.path.startsWith(shared)) return undefined;
        return { path: resolved.path, sideEffects: false };
      });
    },
  };
}

/**
 * An SDK client reads one field of its package.json, its version (for the user agent); esbuild would bundle the whole
 * file (2.3 KB for DynamoDB's, its scripts and dependencies). A bundle gets the version alone.
 */
function sdkClientVersionsOnly(): Plugin {
  return {
    name: "sdk-client-versions-only",
    setup(bundler) {
      bundler.onLoad({ filter: /\/node_modules\/@aws-sdk\/client-[^/]+\/package\.json$/ }, ({ path }) => {
        const { version } = JSON.parse(readFileSync(path, "utf8")) as { version: string };
        return { contents: JSON.stringify({ version }), loader: "json" };
      });
    },
  };
}

/**
 * SDK modules that never run in Lambda, which every bundle gets in place of them (code run from source keeps them):
 * they sit behind relative imports inside `@smithy/core`, where an alias cannot reach. Each is a fallback for what a
 * Lambda environment always has, and each replacement throws or answers as the fallback's failure would, should it
 * ever be called.
 */
const sdkFallbacksLambdaNeverRuns: readonly { specifier: RegExp; importer: RegExp; replacement: string }[] = [
  // SHA-256 in JavaScript, for a runtime whose node:crypto has none: Node's always has it (3.3 KB of every bundle).
  {
    specifier: /(^|\/)Sha256Js$/,
    importer: /\/node_modules\/@smithy\/core\/dist-es\/submodules\/checksum\//,
    replacement: "shared/aws/sha256-js.ts",
  },
  // The region from the instance metadata service, asked when AWS_REGION is not set: Lambda always sets it (1.2 KB).
  {
    specifier: /(^|\/)getInstanceMetadataRegion$/,
    importer: /\/node_modules\/@smithy\/core\/dist-es\/submodules\/config\//,
    replacement: "shared/aws/instance-metadata-region.ts",
  },
  // The event streams, which a protocol imports only for an operation with an event stream: none of the clients here
  // (DynamoDB, SES, Cognito, Step Functions) has one. Left in, they were a chunk loaded on demand that shared 26 KB of
  // the SDK with the function, and so split its init into one chunk more (1.5 KB of every function's init).
  {
    specifier: /^@smithy\/core\/event-streams$/,
    importer: /\/node_modules\/@smithy\/core\/dist-es\/submodules\/protocols\//,
    replacement: "shared/aws/no-event-streams.ts",
  },
];

function sdkFallbacksReplaced(): Plugin {
  return {
    name: "sdk-fallbacks-replaced",
    setup(bundler) {
      for (const { specifier, importer, replacement } of sdkFallbacksLambdaNeverRuns) {
        bundler.onResolve({ filter: specifier }, (args) =>
          importer.test(args.importer) ? { path: join(projectRoot, replacement) } : undefined,
        );
      }
    },
  };
}

/** esbuild's options for every function; the entry is `index` and the handler `index.handler`. */
export const lambdaBuildOptions = {
  absWorkingDir: projectRoot,
  bundle: true,
  platform: "node",
  target: "node24",
  format: "esm",
  // What a function loads only on some path (a dynamic `import()`: the Step Functions or mail clients, the token
  // verifier of public routes, the SDK's event streams) goes to a chunk of its own, read when first needed, so
  // that Lambda's init loads only `index.mjs` and the chunks it imports statically.
  splitting: true,
  outExtension: { ".js": ".mjs" },
  minify: true,
  // Stack traces map to file and line (NODE_OPTIONS=--enable-source-maps) without shipping the sources themselves.
  sourcemap: true,
  sourcesContent: false,
  // ESM entry points of the AWS SDK v3 tree-shake to about 60% of the CommonJS build.
  mainFields: ["module", "main"],
  banner: { js: esmRequireBanner },
  alias: { ...lambdaAliases },
  plugins: [projectModulesWithoutSideEffects(), sdkClientVersionsOnly(), sdkFallbacksReplaced(), pureDeclarations()],
  logLevel: "error",
} as const satisfies BuildOptions;

/** What a function reads at run time from beside its bundle (a route's definition says; so does `fallbackRoute`). */
export type RunTimeFiles = Pick<RouteDefinition, "gzippedFiles" | "readsApiDescription">;

export interface FunctionBundle extends RunTimeFiles {
  /** The handler's file, relative to the repository root; it exports `handler`. */
  entry: string;
}

const optionsFor = (fn: FunctionBundle, outdir: string): BuildOptions => ({
  ...lambdaBuildOptions,
  entryPoints: { index: fn.entry },
  outdir,
  metafile: true,
});

/**
 * Writes a function's run-time files beside its bundle: its `gzippedFiles`, gzip-compressed, and the API's
 * description (the OpenAPI document of every route, infra/api-description.ts) where it reads it.
 */
async function writeRunTimeFiles(files: RunTimeFiles, outdir: string): Promise<void> {
  for (const file of files.gzippedFiles ?? []) {
    writeFileSync(join(outdir, file.bundled), gzipSync(readFileSync(join(projectRoot, file.source)), { level: 9 }));
  }
  if (files.readsApiDescription) {
    // Loaded here only: it reads every route's definition.
    const { apiDescriptionDocument } = await import("./api-description");
    writeFileSync(join(outdir, API_DESCRIPTION_FILE), JSON.stringify(apiDescriptionDocument()));
  }
}

/** The output files `index.mjs` can load, by static or dynamic import, as the metafile names them. */
export function reachableOutputs(metafile: Metafile): Set<string> {
  const outputs = metafile.outputs;
  const index = Object.keys(outputs).find((path) => /(^|\/)index\.mjs$/.test(path));
  if (!index) throw new Error(`no index.mjs among ${Object.keys(outputs).join(", ")}`);
  const reachable = new Set<string>();
  const visit = (path: string) => {
    if (reachable.has(path)) return;
    reachable.add(path);
    for (const imported of outputs[path]!.imports) if (outputs[imported.path]) visit(imported.path);
  };
  visit(index);
  return reachable;
}

/**
 * The modules a build made chunks of for dynamic `import()`s that tree shaking then dropped, relative to the project
 * (e.g. the mail delivery, in a function that uses a cleanup module but sends no notice): `index.mjs` can never load
 * such a chunk.
 */
function unreachableImports(metafile: Metafile): Set<string> {
  const reachable = reachableOutputs(metafile);
  return new Set(
    Object.entries(metafile.outputs)
      .filter(([path, output]) => path.endsWith(".mjs") && !reachable.has(path) && output.entryPoint)
      .map(([, output]) => output.entryPoint!),
  );
}

const leftOut = Symbol("left out");

/**
 * Leaves out the modules of `unreachable` (a dynamic import no code that runs makes): esbuild still makes a chunk of
 * each, and moves what it shares with the function into chunks the function loads at init (22 KB of the SDK's
 * protocols for the mail clients a cleanup route never sends with). A module left out throws if ever imported.
 */
/** Resolves an import as esbuild would, marked so that the plugin asking does not see its own resolve again. */
function resolveAgain(bundler: PluginBuild, args: OnResolveArgs, marker: unknown) {
  const { importer, namespace, resolveDir, kind, with: attributes } = args;
  return bundler.resolve(args.path, { importer, namespace, resolveDir, kind, with: attributes, pluginData: marker });
}

function leaveOut(unreachable: Set<string>): Plugin {
  return {
    name: "leave-out-unreachable-imports",
    setup(bundler) {
      bundler.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind !== "dynamic-import" || unreachable.size === 0 || args.pluginData === leftOut) return undefined;
        const resolved = await resolveAgain(bundler, args, leftOut);
        if (!unreachable.has(relative(projectRoot, resolved.path))) return undefined;
        return { path: resolved.path, namespace: "left-out" };
      });
      bundler.onLoad({ filter: /.*/, namespace: "left-out" }, ({ path }) => ({
        contents: `throw new Error(${JSON.stringify(`${relative(projectRoot, path)} is not in this bundle: tree shaking found no code that imports it`)});`,
        loader: "js",
      }));
    },
  };
}

/**
 * Modules a function loads on demand that get a bundle of their own beside its `index.mjs` (`file`), with their own
 * copy of what they import, the SDK's core included, instead of chunks of the function's build. esbuild puts a module
 * in a chunk loaded at init when the function's init reaches it by any import, used or not, and the SDK's barrels
 * reach every protocol: the SES and Cognito clients' own (REST JSON, HTTP bindings, SigV4a, their serde) were 18 KB
 * of the batch step's init, where only DynamoDB's runs. A module here shares no state with the function's: what it
 * needs of the invocation (the deadline's abort signal) is given to it.
 */
const ownBundles: readonly { module: string; file: string }[] = [
  { module: "shared/mail/ses-transport.ts", file: "ses-transport.mjs" },
];

/** Leaves the modules of `ownBundles` out of the function's build: their import loads the file of their bundle. */
function ownBundlesApart(): Plugin {
  return {
    name: "own-bundles-apart",
    setup(bundler) {
      bundler.onResolve({ filter: /^\.\.?\// }, async (args) => {
        // The marker of leaveOut's resolve too: each would otherwise resolve the other's again, without end.
        if (args.kind !== "dynamic-import" || args.pluginData === leftOut) return undefined;
        const resolved = await resolveAgain(bundler, args, leftOut);
        const own = ownBundles.find(({ module }) => relative(projectRoot, resolved.path) === module);
        return own ? { path: `./${own.file}`, external: true } : undefined;
      });
    },
  };
}

/**
 * Builds the own bundles the function's build imports (`ownBundlesApart`) into `outdir`, each one file, and adds them
 * to its metafile as what the importing chunk loads on demand. Answers their files, to be written beside the rest.
 */
async function buildOwnBundles(metafile: Metafile, outdir: string) {
  const files: { path: string; contents: Uint8Array }[] = [];
  for (const own of ownBundles) {
    const importers = Object.values(metafile.outputs).flatMap((output) =>
      output.imports.filter((imported) => imported.external && imported.path === `./${own.file}`),
    );
    if (importers.length === 0) continue;
    const result = await buildOnce({
      ...lambdaBuildOptions,
      splitting: false,
      entryPoints: { [own.file.replace(/\.mjs$/, "")]: own.module },
      outdir,
      metafile: true,
      write: false,
    });
    const path = relative(projectRoot, join(outdir, own.file));
    for (const imported of importers) {
      imported.path = path;
      delete imported.external;
    }
    Object.assign(metafile.inputs, result.metafile.inputs);
    Object.assign(metafile.outputs, result.metafile.outputs);
    files.push(...result.outputFiles);
  }
  return files;
}

/** Bundles one function into `outdir` (its `index.mjs`, chunks, source maps and gzipped files), as deployed. */
export async function bundleFunction(fn: FunctionBundle, outdir: string): Promise<Metafile> {
  const unreachable = new Set<string>();
  const options = optionsFor(fn, outdir);
  const build = await context({
    ...options,
    write: false,
    plugins: [...(options.plugins ?? []), ownBundlesApart(), leaveOut(unreachable)],
  });
  try {
    // Once to learn which dynamic imports tree shaking drops, once more without them (an incremental rebuild).
    let result = await build.rebuild();
    for (const module of unreachableImports(result.metafile!)) unreachable.add(module);
    if (unreachable.size > 0) result = await build.rebuild();
    const metafile = result.metafile!;
    const ownFiles = await buildOwnBundles(metafile, outdir);
    const reachable = reachableOutputs(metafile);
    // esbuild adds to a directory: chunks of an earlier build would lie beside the new ones.
    rmSync(outdir, { recursive: true, force: true });
    for (const file of [...(result.outputFiles ?? []), ...ownFiles]) {
      const path = relative(projectRoot, file.path);
      if (!reachable.has(path.replace(/\.map$/, ""))) {
        delete metafile.outputs[path];
        continue;
      }
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.contents);
    }
    await writeRunTimeFiles(fn, outdir);
    return metafile;
  } finally {
    await build.dispose();
  }
}

/** How long the CDK's synchronous bundling waits for one function's build before it gives up. */
const SYNC_BUILD_TIMEOUT_MS = 300_000;

let builder: { port: MessagePort; signal: Int32Array } | undefined;

/** The worker thread that runs bundleFunction for bundleFunctionSync (infra/bundle-worker.mjs), started once. */
function syncBuilder(): { port: MessagePort; signal: Int32Array } {
  if (!builder) {
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(new URL("./bundle-worker.mjs", import.meta.url), {
      workerData: { port: port2, signal },
      transferList: [port2],
    });
    // It must not keep a finished `cdk synth` (or test) alive.
    worker.unref();
    port1.unref();
    builder = { port: port1, signal };
  }
  return builder;
}

/**
 * The same build, synchronously: the CDK's local bundling cannot wait for a promise, and esbuild's synchronous API
 * takes no plugins. The build runs in a worker thread while this one waits.
 */
export function bundleFunctionSync(fn: FunctionBundle, outdir: string): void {
  const { port, signal } = syncBuilder();
  Atomics.store(signal, 0, 0);
  port.postMessage({
    fn: { entry: fn.entry, gzippedFiles: fn.gzippedFiles ?? [], readsApiDescription: fn.readsApiDescription },
    outdir,
  });
  if (Atomics.wait(signal, 0, 0, SYNC_BUILD_TIMEOUT_MS) === "timed-out") {
    throw new Error(`bundling ${fn.entry} took over ${SYNC_BUILD_TIMEOUT_MS / 1000} s`);
  }
  const reply = receiveMessageOnPort(port)?.message as { error: string | null } | undefined;
  if (!reply) throw new Error(`bundling ${fn.entry}: the build worker did not answer`);
  if (reply.error) throw new Error(`bundling ${fn.entry} failed: ${reply.error}`);
}
