// The settings every local entry point (npm start, npm run cleanup, the tests, the benchmarks) gives the handlers
// explicitly, since shared/config.ts has no defaults for them: values that are only right on this machine.

/** The local server's HS256 secret (contract: Identity); `npm run token` signs with the same default. */
export const LOCAL_JWT_SECRET = "local-dev-secret";

const localSettings = {
  TOKEN_VERIFIER: "local-hs256",
  LOCAL_JWT_SECRET,
  CURSOR_SECRET: "local-cursor-secret-never-used-in-aws",
  CLEANUP_RUNNER: "in-process",
} as const;

/** Sets every local setting the environment does not set already (so a developer can still override one). */
export function applyLocalSettings(env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(localSettings)) env[name] ??= value;
  // DynamoDB Local takes any region; against AWS the region must be the table's own, so it is never guessed.
  if (env.DYNAMODB_ENDPOINT) env.AWS_REGION ??= "local";
}
