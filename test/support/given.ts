// What a test starts from, made through the API of the host under test (test/support/host.ts), each step asserting
// its own success: `given.aReader()`, `given.aPost(author)`, `given.aFollow(reader, author)`. Plain assertions, so the
// benchmarks use them too.
import type { components } from "./api/types";
import { aLocalCaller, expectStatus, host, type TestUser } from "./host";
import { aPostInput, type PostInputBody } from "./posts";
import { when } from "./when";

type Entitlements = components["schemas"]["EntitlementsInput"]["entitlements"];

let comments = 0;

/** A signed-in caller with a profile. */
async function withProfile(groups: readonly string[], prefix: string): Promise<TestUser> {
  const user = await host().signIn(groups, prefix);
  expectStatus(await when.savesProfile(user), 201);
  return user;
}

export const given = {
  /** A reader (no group) with a profile. */
  aReader: () => withProfile([], "reader"),
  /** An author (group `authors`) with a profile. */
  anAuthor: () => withProfile(["authors"], "author"),
  /** An admin (group `admins`) with a profile. */
  anAdmin: () => withProfile(["admins"], "admin"),
  /** A caller signed in on the host under test, without a profile. */
  aSignedInCaller: (groups: readonly string[] = [], prefix = "user") => host().signIn(groups, prefix),
  /** A caller without a profile, with a local host's token (no Cognito: the integration tests' local hosts only). */
  aLocalCaller,
  /** `admin` grants `user` these entitlements, as an operator would. */
  async entitlements(admin: TestUser, user: { userId: string }, entitlements: Entitlements): Promise<void> {
    expectStatus(await when.grants(admin, user, entitlements), 200);
  },
  /** A reader holding these entitlements (granted by `admin`). */
  async aReaderWith(admin: TestUser, entitlements: Entitlements): Promise<TestUser> {
    const reader = await given.aReader();
    if (entitlements.length > 0) await given.entitlements(admin, reader, entitlements);
    return reader;
  },
  /** A post of `author`'s (free unless said otherwise), as published. */
  async aPost(author: TestUser, overrides: Partial<PostInputBody> = {}) {
    const published = await when.publishes(author, aPostInput(overrides));
    expectStatus(published, 201);
    return published.data;
  },
  /** `follower` follows `followee`. */
  async aFollow(follower: TestUser, followee: { userId: string }): Promise<void> {
    expectStatus(await when.follows(follower, followee), 200);
  },
  /** `follower` no longer follows `followee`. */
  async anUnfollow(follower: TestUser, followee: { userId: string }): Promise<void> {
    expectStatus(await when.unfollows(follower, followee), 200);
  },
  /** `user`'s comment on a post, as written. */
  async aComment(user: TestUser, postId: string, text = `Nice call ${++comments}`) {
    const written = await when.comments(user, postId, text);
    expectStatus(written, 201);
    return written.data;
  },
};
