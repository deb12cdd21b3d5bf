import { fromEnv } from "@aws-sdk/credential-provider-env";

// The SDK's credential chain for Lambda: the environment, and nothing else. Every bundle gets this module in place of
// @aws-sdk/credential-provider-node (an esbuild alias: infra/bundling.ts), whose default chain also knows SSO, INI and
// credential_process profiles, web identity files, the container and instance metadata services: about 140 KB of
// every bundle, none of which runs in Lambda, which hands each function its role's credentials as
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. Code run from source (the local host, the operator
// commands, the tests) keeps the SDK's default chain, profiles included.

type DefaultProviderInit = Parameters<typeof fromEnv>[0];

/** What every SDK client calls for its credentials when none are given (the name the default chain exports). */
export const defaultProvider = (init: DefaultProviderInit = {}): ReturnType<typeof fromEnv> => fromEnv(init);
