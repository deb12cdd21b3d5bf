import type { IncomingRequest } from "../../infra/local/api-gateway-event";
import { routes } from "../../infra/routes";
import { api, tokenFor } from "../../test/support/api";
import { given, type TestUser } from "../../test/support/given";

export interface SampleRequest {
  method: string;
  path: string;
  token?: string;
  body?: unknown;
}

export interface Fixtures {
  reader: TestUser;
  author: TestUser;
  admin: TestUser;
}

/** Accounts and data every sample request can rely on. */
export async function seedFixtures(): Promise<Fixtures> {
  const [reader, author, admin] = [await given.aReader(), await given.anAuthor(), await given.anAdmin()];
  return { reader, author, admin };
}

type SampleFactory = (fixtures: Fixtures) => SampleRequest;

// One representative request per route, answered successfully against DynamoDB Local.
const samples: Record<string, SampleFactory> = {
  "GET /health": () => ({ method: "GET", path: "/health" }),
  "PUT /me": ({ reader }) => ({ method: "PUT", path: "/me", token: reader.token, body: { handle: reader.handle, displayName: "Reader" } }),
  "GET /me": ({ reader }) => ({ method: "GET", path: "/me", token: reader.token }),
  "GET /users/{userId}": ({ author }) => ({ method: "GET", path: `/users/${author.userId}` }),
  "GET /handles/{handle}": ({ author }) => ({ method: "GET", path: `/handles/${author.handle}` }),
  "PUT /admin/users/{userId}/entitlements": ({ admin, reader }) => ({
    method: "PUT",
    path: `/admin/users/${reader.userId}/entitlements`,
    token: admin.token,
    body: { entitlements: [{ tier: "plus" }] },
  }),
};

export const fallbackSample: SampleFactory = () => ({ method: "GET", path: "/no/such/route" });

/** The sample for every route of the table; a route without one is an error, so none is skipped silently. */
export function samplesForAllRoutes(fixtures: Fixtures): { routeKey: string; entry: string; request: SampleRequest }[] {
  return routes.map((route) => {
    const routeKey = `${route.method} ${route.path}`;
    const factory = samples[routeKey];
    if (!factory) throw new Error(`bench/support/samples.ts has no sample request for ${routeKey}`);
    return { routeKey, entry: route.entry, request: factory(fixtures) };
  });
}

export function toIncomingRequest(sample: SampleRequest): IncomingRequest {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (sample.token) headers.authorization = `Bearer ${sample.token}`;
  return {
    method: sample.method,
    url: new URL(sample.path, "http://localhost"),
    headers,
    body: sample.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(sample.body)),
    sourceIp: "127.0.0.1",
  };
}

export { api, tokenFor };
