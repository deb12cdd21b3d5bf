// In place of the SDK's SHA-256 in JavaScript (@smithy/core's Sha256Js) in every bundle (infra/bundling.ts): the SDK
// uses it only where node:crypto has no SHA-256, and Node's always has one. Code run from source keeps the SDK's.

/** The SDK's fallback hash: never built in Lambda. */
export class Sha256Js {
  constructor() {
    throw new Error("SHA-256 in JavaScript is not in this bundle: node:crypto has SHA-256 in every Lambda runtime");
  }
}
