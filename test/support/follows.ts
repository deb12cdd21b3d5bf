// Follow steps through the API only (no storage imports), so the benchmarks can use them too.
import { api, type ApiResponse } from "./api";
import { expectStatus, type TestUser } from "./given";

/** PUT /users/{userId}/follow as `follower` (no status asserted). */
export const follow = (follower: TestUser, followee: { userId: string }): Promise<ApiResponse> =>
  api.put(`/users/${followee.userId}/follow`, { token: follower.token });

/** DELETE /users/{userId}/follow as `follower` (no status asserted). */
export const unfollow = (follower: TestUser, followee: { userId: string }): Promise<ApiResponse> =>
  api.delete(`/users/${followee.userId}/follow`, { token: follower.token });

/** `follower` follows `followee` (200 asserted). */
export async function aFollow(follower: TestUser, followee: { userId: string }): Promise<void> {
  expectStatus(await follow(follower, followee), 200);
}

/** `follower` stops following `followee` (200 asserted). */
export async function anUnfollow(follower: TestUser, followee: { userId: string }): Promise<void> {
  expectStatus(await unfollow(follower, followee), 200);
}
