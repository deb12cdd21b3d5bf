import { randomUUID } from "node:crypto";
import { api, tokenFor, type ApiResponse } from "./api";

export interface TestUser {
  userId: string;
  token: string;
  handle: string;
}

let counter = 0;
export const uniqueHandle = (prefix = "u") => `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}${counter++}`;
export const uniqueUserId = (prefix = "user") => `${prefix}-${randomUUID()}`;

/** A signed-in caller without a profile. */
export function aSignedInCaller(groups: string[] = [], prefix = "user"): TestUser {
  const userId = uniqueUserId(prefix);
  return { userId, token: tokenFor(userId, groups), handle: uniqueHandle() };
}

async function withProfile(user: TestUser): Promise<TestUser> {
  const response = await api.put("/me", { token: user.token, body: { handle: user.handle, displayName: user.handle } });
  expectStatus(response, 201);
  return user;
}

export const given = {
  aReader: () => withProfile(aSignedInCaller([], "reader")),
  anAuthor: () => withProfile(aSignedInCaller(["authors"], "author")),
  anAdmin: () => withProfile(aSignedInCaller(["admins"], "admin")),
  aSignedInCaller,
  /** Grants entitlements through the admin route, as an operator would. */
  async entitlements(admin: TestUser, user: TestUser, entitlements: unknown[]): Promise<void> {
    const response = await api.put(`/admin/users/${user.userId}/entitlements`, {
      token: admin.token,
      body: { entitlements },
    });
    expectStatus(response, 200);
  },
};

/** Plain assertion, so the helpers also serve the benchmarks, which run outside vitest. */
export function expectStatus(response: ApiResponse, status: number): void {
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${response.text}`);
}

/** No DynamoDB key or internal attribute name may ever appear in a response. */
export function expectNoStorageDetails(text: string): void {
  const leak =
    /"(pk|sk|inactivityPk|inactivitySk|entityType|expiresAt|GSI\w*)"|USER#|HANDLE#|POST#|PROFILE|at \w+ \(/.exec(text);
  if (leak) throw new Error(`storage detail ${leak[0]} in response: ${text}`);
}
