import { randomUUID } from "node:crypto";
import type { AnyAnswer, ApiClient } from "./api/client";
import { api as inProcessApi, tokenFor } from "./api/in-process";

// The host the steps (given / when / then) talk to, and how its callers sign in. By default the local host in this
// process (the integration tests); the end-to-end tests choose theirs (test/support/e2e-host.ts): the local server
// over HTTP, or a deployed stage whose Cognito user pool signs test users in.

export interface TestUser {
  userId: string;
  token: string;
  handle: string;
}

let counter = 0;
export const uniqueHandle = (prefix = "u") => `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}${counter++}`;
export const uniqueUserId = (prefix = "user") => `${prefix}-${randomUUID()}`;

export interface Host {
  /** What the tests call the API with. */
  api: ApiClient;
  /** A new caller, signed in with these Cognito groups (`authors`, `admins`), without a profile yet. */
  signIn(groups: readonly string[], prefix: string): Promise<TestUser>;
}

/** A caller with a token of the local host's own (HS256 with its secret, as `npm run token` prints one). */
export function aLocalCaller(groups: readonly string[] = [], prefix = "user"): TestUser {
  const userId = uniqueUserId(prefix);
  return { userId, token: tokenFor(userId, [...groups]), handle: uniqueHandle() };
}

/** Signing in on a local host: its own tokens. */
export const localSignIn = async (groups: readonly string[], prefix: string) => aLocalCaller(groups, prefix);

let current: Host = { api: inProcessApi, signIn: localSignIn };

/** The host the steps talk to. */
export const host = (): Host => current;

/** Makes the steps of this test file talk to `chosen`. */
export function useHost(chosen: Host): void {
  current = chosen;
}

/** Plain assertion, so the steps also serve the benchmarks, which run outside vitest. */
export function expectStatus(response: AnyAnswer, status: number): void {
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${response.text}`);
}
