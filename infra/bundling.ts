// How every Lambda handler is bundled, shared by the CDK stack (NodejsFunction) and the cold-start benchmark,
// so the benchmark measures exactly what is deployed.

/** Lets CommonJS dependencies call `require` inside an ESM bundle. */
export const esmRequireBanner =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

export const lambdaBundling = {
  target: "node24",
  format: "esm",
  minify: true,
  sourceMap: true,
  // ESM entry points of the AWS SDK v3 tree-shake to about 60% of the CommonJS build.
  mainFields: ["module", "main"],
  banner: esmRequireBanner,
} as const;
