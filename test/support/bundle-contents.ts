import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Metafile } from "esbuild";
import { type DeployedFunction, filesOf } from "../../infra/bundle-as-deployed";
import { projectRoot } from "../../infra/bundling";
import { apiDescriptionDocument } from "../../infra/api-description";
import { routes } from "../../infra/routes";
import { buildOpenApiDocument } from "../../shared/api/openapi";
import type { RouteDefinition } from "../../shared/api/route";

// What a function's bundle may carry, judged from its esbuild metafile and its output: the packages and project
// modules its kind allows, no other route's definition (its operation's words) and no other route's schema. Each
// finding names the module.

type Json = Record<string, unknown>;

const isJson = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
/** The object at `key` of a document's part, or an empty one. */
const part = (json: Json, key: string): Json => {
  const value = json[key];
  return isJson(value) ? value : {};
};
const textOf = (json: Json, key: string): string | undefined => {
  const value = json[key];
  return typeof value === "string" ? value : undefined;
};

/** The package a bundled module comes from (`@smithy/core`), or its project path (`shared/db/keys.ts`). */
function packageOf(path: string): { pkg: string } | { module: string } {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  return match ? { pkg: match[1]! } : { module: path };
}

/** The SDK's default credential chain: in Lambda the credentials are in the environment (infra/bundling.ts). */
export const credentialChain = [
  "@aws-sdk/credential-provider-node",
  "@aws-sdk/credential-provider-ini",
  "@aws-sdk/credential-provider-sso",
  "@aws-sdk/credential-provider-process",
  "@aws-sdk/credential-provider-web-identity",
  "@aws-sdk/credential-provider-http",
  "@aws-sdk/credential-provider-login",
  "@aws-sdk/nested-clients",
  "@aws-sdk/token-providers",
  "@smithy/credential-provider-imds",
];

/** What every function needs: the DynamoDB client and document client (the SDK's core), zod. */
const everyFunction = [
  "@aws-sdk/client-dynamodb",
  "@aws-sdk/lib-dynamodb",
  "@aws-sdk/util-dynamodb",
  "@aws-sdk/dynamodb-codec",
  "@aws-sdk/middleware-endpoint-discovery",
  // Its LRU is shared/aws/lru-cache.ts in a bundle (an alias): no mnemonist, no obliterator.
  "@aws-sdk/endpoint-cache",
  "@aws-sdk/core",
  "@aws-sdk/credential-provider-env",
  "@smithy/core",
  "@smithy/node-http-handler",
  "@smithy/signature-v4",
  "@smithy/types",
  "@aws/lambda-invoke-store",
  "zod",
];

/** A function's kind: what decides which packages and project modules it may carry, and which only on demand. */
export interface Allowance {
  /** Packages loaded at init. */
  init: string[];
  /** Packages only a dynamic `import()` loads, on the path that needs them. */
  lazy: string[];
  /** Project modules it may carry (path prefixes). */
  modules: string[];
}

const routeOf = (fn: DeployedFunction): RouteDefinition | null => (fn.kind === "route" ? fn.route : null);

/** The API's own description (its document, its reference page): the routes tagged Service in the document. */
const describesApi = (route: RouteDefinition): boolean => {
  const tags = documentedOperation(route).tags;
  return Array.isArray(tags) && tags.includes("Service");
};

export function allowanceOf(fn: DeployedFunction): Allowance {
  const route = routeOf(fn);
  const http = fn.kind !== "cleanup-step";
  const sendsNotices = fn.kind === "cleanup-step" && fn.step === "processBatch";
  return {
    init: [...everyFunction, ...(http ? ["@middy/core"] : [])],
    lazy: [
      // A public route verifies a token when one is sent; a route behind API Gateway's JWT authorizer never does.
      ...(route?.auth === "optional" ? ["aws-jwt-verify"] : []),
      ...(route?.startsCleanup ? ["@aws-sdk/client-sfn"] : []),
      ...(sendsNotices
        ? [
            "@aws-sdk/client-sesv2",
            "@aws-sdk/client-cognito-identity-provider",
            "@aws-sdk/signature-v4-multi-region",
            "nodemailer",
          ]
        : []),
    ],
    // No function carries infra/: the fallback and GET /openapi.json read the API's description, which the stack
    // builds at deploy from every route's definition and writes beside their bundles.
    modules: [fn.entry, "shared/", ...(fn.kind === "cleanup-step" ? ["functions/scheduled/cleanup-steps.ts"] : [])],
  };
}

/** Project modules no function of a kind may carry, even under `shared/`. */
export function forbiddenModulesOf(fn: DeployedFunction): string[] {
  const route = routeOf(fn);
  return [
    ...(fn.kind === "cleanup-step" ? ["shared/http/"] : []),
    ...(route?.auth === "optional" ? [] : ["shared/http/token-verifier.ts", "shared/http/jwt-hs256.ts"]),
    ...(fn.kind === "cleanup-step" && fn.step === "processBatch" ? [] : ["shared/mail/"]),
    // The generator of the OpenAPI document and its overview run at deploy (infra/api-description.ts): no function
    // carries them. The reference page: the API's description only.
    "shared/api/openapi.ts",
    "shared/api/overview.ts",
    ...(route && describesApi(route) ? [] : ["shared/api/reference-page.ts"]),
  ];
}

/**
 * Project modules only a path loaded on demand needs (a deactivated caller's restore on sign-in, the outlook sync of a
 * caller whose notices are withdrawn, the settling of a dormant relation), with the functions whose own work runs
 * them and so may load them at init. Any other function carries them only in a chunk loaded on demand: a static import
 * of such a module, or of a module that imports it (used or not: esbuild gives a file to every entry that imports
 * it), puts it and what it imports at init (`GET /me` loaded 11.5 KB of them, the follow lists 4.7 KB).
 */
const onDemandModules: Record<string, readonly string[]> = {
  "shared/use-cases/cleanup/restore.ts": ["Cleanup-processBatch", "Cleanup-restoreSweep"],
  "shared/use-cases/outlook.ts": ["Cleanup-processBatch", "GetMeFollowerOutlook", "GetAdminUsersUserIdNotices"],
  // The writes of a deactivation, a restore and a purge. The functions that only read or drop dormant relations (DELETE
  // /me, the follows, the outlook) have them in dormant-relation-store.ts: this module shared with their init, their
  // lazily loaded restore's writes were 4.4 KB of it (DELETE /me, the follows; with the outlook store below, 6.3 KB).
  "shared/db/second-chance-store.ts": ["Cleanup-processBatch", "Cleanup-restoreSweep"],
  // The outlook sync's writes. An unfollow deletes an outlook entry (outlook-entries.ts), and this module, shared with
  // its init, loaded the lazily loaded sync's and restore's writes at init (2 KB).
  "shared/db/outlook-store.ts": [
    "Cleanup-processBatch",
    "Cleanup-restoreSweep",
    "GetMeFollowerOutlook",
    "GetAdminUsersUserIdNotices",
  ],
};

/** The modules of `onDemandModules` a function must not load at init. */
export function onDemandOnlyModulesOf(fn: DeployedFunction): string[] {
  return Object.entries(onDemandModules)
    .filter(([, atInit]) => !atInit.includes(fn.name))
    .map(([module]) => module);
}

/**
 * SDK modules no bundle carries, each with what takes its place (infra/bundling.ts, `sdkFallbacksLambdaNeverRuns`):
 * fallbacks for what a Lambda environment always has, and the event streams no client here uses. Left in, they were
 * 3.3 KB, 1.2 KB and (a chunk of their own sharing the SDK with init) 1.5 KB of every function's init.
 */
export const sdkModulesNeverBundled: readonly RegExp[] = [
  /\/@smithy\/core\/dist-es\/submodules\/checksum\/sha256\/Sha256Js\.js$/,
  /\/@smithy\/core\/dist-es\/submodules\/config\/config-resolver\/regionConfig\/getInstanceMetadataRegion\.js$/,
  /\/@smithy\/core\/dist-es\/submodules\/event-streams\//,
];

/**
 * The SDK's protocols of the mail clients (SES: REST JSON and its HTTP bindings; Cognito: JSON 1.1), which no
 * function's init runs: the SES delivery is a bundle of its own (infra/bundling.ts, `ownBundles`). In a chunk of the
 * batch step's build, they were 18 KB of its init (esbuild gives a chunk loaded at init every module init reaches, and
 * the SDK's barrels reach every protocol).
 */
export const mailProtocolModules: readonly RegExp[] = [
  /\/@aws-sdk\/core\/dist-es\/submodules\/protocols\/json\/AwsRestJsonProtocol\.js$/,
  /\/@aws-sdk\/core\/dist-es\/submodules\/protocols\/json\/AwsJson1_1Protocol\.js$/,
  /\/@smithy\/core\/dist-es\/submodules\/protocols\/HttpBindingProtocol\.js$/,
];

export interface Carried {
  /** Every bundled module's path (packages' and the project's), loaded at init or on demand. */
  inputs: Set<string>;
  /** The same, of those loaded at init. */
  initInputs: Set<string>;
  /** Package -> bytes, loaded at init and on demand. */
  initPackages: Map<string, number>;
  lazyPackages: Map<string, number>;
  /** Project modules with their bytes in the output, and those of them loaded at init. */
  modules: Map<string, number>;
  initModules: Set<string>;
  /** The output's text (every file that can load), to look for other routes' operations and schemas. */
  text: string;
}

export function carriedBy(metafile: Metafile): Carried {
  const { init, lazy } = filesOf(metafile);
  const initPackages = new Map<string, number>();
  const lazyPackages = new Map<string, number>();
  const modules = new Map<string, number>();
  const initModules = new Set<string>();
  const inputs = new Set<string>();
  const initInputs = new Set<string>();
  for (const [files, packages] of [
    [init, initPackages],
    [lazy, lazyPackages],
  ] as const) {
    for (const file of files) {
      for (const [path, input] of Object.entries(metafile.outputs[file.path]!.inputs)) {
        if (input.bytesInOutput === 0) continue;
        inputs.add(path);
        if (packages === initPackages) initInputs.add(path);
        const origin = packageOf(path);
        if ("pkg" in origin) packages.set(origin.pkg, (packages.get(origin.pkg) ?? 0) + input.bytesInOutput);
        else {
          modules.set(origin.module, (modules.get(origin.module) ?? 0) + input.bytesInOutput);
          if (packages === initPackages) initModules.add(origin.module);
        }
      }
    }
  }
  const text = [...init, ...lazy].map((file) => readFileSync(resolve(projectRoot, file.path), "utf8")).join("\n");
  return { inputs, initInputs, initPackages, lazyPackages, modules, initModules, text };
}

/** The document the stack writes beside the functions that read it (infra/api-description.ts). */
const fullDocument: Json = apiDescriptionDocument();
const documentOf = (route: RouteDefinition): Json => buildOpenApiDocument([route]);

function documentedOperation(route: RouteDefinition): Json {
  return part(part(part(fullDocument, "paths"), route.path), route.method.toLowerCase());
}

/** How a string literal of the source reads in the minified output. */
const asWritten = (text: string): string => JSON.stringify(text).slice(1, -1);

/** The operations of other routes whose words (summary, description) the output holds, with those words. */
export function otherRoutesOperations(fn: DeployedFunction, text: string): { operation: string; words: string[] }[] {
  const own = routeOf(fn);
  return routes
    .filter((route) => route !== own)
    .map((route) => {
      const operation = documentedOperation(route);
      const words = [textOf(operation, "summary"), textOf(operation, "description")].filter(
        (candidate): candidate is string => candidate !== undefined && text.includes(asWritten(candidate)),
      );
      return { operation: `${route.method} ${route.path} (${textOf(operation, "operationId")})`, words };
    })
    .filter((found) => found.words.length > 0);
}

function schemasOf(document: Json): Record<string, Json> {
  const schemas: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(part(part(document, "components"), "schemas"))) {
    if (isJson(schema)) schemas[id] = schema;
  }
  return schemas;
}

/**
 * The documented schemas (components with a description) of other routes whose description the output holds. A
 * schema is the function's own when its route's document holds it, or holds every one of its properties (`Me` is
 * built from `Profile`'s fields, so `GET /me` builds `Profile`); schemas every route shares (the error answers)
 * belong to none.
 */
export function otherRoutesSchemas(fn: DeployedFunction, text: string): string[] {
  const own = routeOf(fn);
  const all = schemasOf(fullDocument);
  const perRoute = routes.map((route) => schemasOf(documentOf(route)));
  const shared = Object.keys(all).filter((id) => perRoute.every((schemas) => id in schemas));
  const ownSchemas = own ? schemasOf(documentOf(own)) : {};
  const propertiesOf = (schema: Json) =>
    Object.entries(part(schema, "properties")).map(([name, json]) => `${name}:${JSON.stringify(json)}`);
  const ownProperties = new Set(Object.values(ownSchemas).flatMap(propertiesOf));
  const builtFromOwn = (schema: Json) =>
    isJson(schema.properties) && propertiesOf(schema).every((property) => ownProperties.has(property));
  return Object.entries(all)
    .filter(([id, schema]) => !shared.includes(id) && !(id in ownSchemas) && !builtFromOwn(schema))
    .filter(([, schema]) => {
      const description = textOf(schema, "description");
      return description !== undefined && text.includes(asWritten(description));
    })
    .map(([id]) => id);
}

/** The project modules of the output whose source holds `words` (to name where a leak comes from). */
export function modulesHolding(carried: Carried, words: string[]): string[] {
  return [...carried.modules.keys()].filter((module) => {
    const source = readFileSync(resolve(projectRoot, module), "utf8");
    return words.some((word) => source.includes(word));
  });
}

/** Every summary and description of a document's part, wherever it stands (operations, answers, schemas, fields). */
function wordsOf(json: unknown): string[] {
  if (Array.isArray(json)) return json.flatMap(wordsOf);
  if (!isJson(json)) return [];
  return Object.entries(json).flatMap(([key, value]) =>
    (key === "summary" || key === "description") && typeof value === "string" ? [value] : wordsOf(value),
  );
}

/**
 * The OpenAPI words (summaries, descriptions: any route's, its own included, and any schema's) the output holds. Only
 * the document reads them, built from the sources at deploy: the build leaves them out of every bundle
 * (infra/bundling.ts, `openApiWords`). Words of a few characters could be any code's text: only sentences count.
 */
export function openApiWordsIn(text: string): string[] {
  const sentences = new Set(wordsOf(fullDocument).filter((words) => words.length >= 24));
  return [...sentences].filter((words) => text.includes(asWritten(words)));
}
