import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { api, tokenFor } from "./api";

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
  expect(response.status, response.text).toBe(201);
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
    expect(response.status, response.text).toBe(200);
  },
};

/** No DynamoDB key or internal attribute name may ever appear in a response. */
export function expectNoStorageDetails(text: string): void {
  expect(text).not.toMatch(/"(pk|sk|inactivityPk|inactivitySk|entityType|expiresAt|GSI\w*)"/);
  expect(text).not.toMatch(/USER#|HANDLE#|POST#|PROFILE|at \w+ \(/);
}
