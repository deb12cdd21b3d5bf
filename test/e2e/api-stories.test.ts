import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { e2eHost, type E2eHost } from "../support/e2e-host";
import { given } from "../support/given";
import { useHost } from "../support/host";
import { aPostInput } from "../support/posts";
import { then } from "../support/then";
import { when } from "../support/when";

// The API as its clients meet it, over HTTP, each test a short story. `npm test` runs these against the local server;
// `API_URL=https://... npm run test:deployed` against a deployed stage, signing its test users in through the
// stage's Cognito user pool (docs/deploy.md, "Verify a deployed stage"). Nothing here reaches into storage.

let host: E2eHost;

beforeAll(async () => {
  host = await e2eHost();
  useHost(host);
}, 60_000);

afterAll(async () => {
  await host?.close();
}, 120_000);

describe("the API over HTTP", () => {
  it("signs a reader in, who creates a profile and reads their own account", async () => {
    const reader = await given.aSignedInCaller([], "reader");

    then.itAnswers(await when.savesProfile(reader), 201);

    const me = then.itAnswers(await when.readsOwnAccount(reader), 200);
    expect(me).toMatchObject({ userId: reader.userId, handle: reader.handle, role: "reader", followerCount: 0 });
  });

  it("finds an author by handle, in any case, and counts each follow once", async () => {
    const [reader, author] = [await given.aReader(), await given.anAuthor()];

    const found = then.itAnswers(await when.findsHandle(author.handle.toUpperCase()), 200);
    then.itAnswers(await when.follows(reader, found), 200);
    then.itAnswers(await when.follows(reader, found), 200);

    expect(await then.followerCountOf(author)).toBe(1);
    expect(then.itAnswers(await when.asksWhetherFollowing(reader, author), 200)).toEqual({ following: true });
  });

  it("locks a plus post for anonymous readers and opens it to a Plus subscriber", async () => {
    const [admin, author] = [await given.anAdmin(), await given.anAuthor()];
    const subscriber = await given.aReaderWith(admin, [{ tier: "plus" }]);

    const post = then.itAnswers(await when.publishes(author, aPostInput({ access: "plus" })), 201);

    const anonymous = then.itAnswers(await when.readsPost(post.postId), 200);
    expect([anonymous.locked, anonymous.body]).toEqual([true, undefined]);
    const subscribed = then.itAnswers(await when.readsPost(post.postId, subscriber), 200);
    expect([subscribed.locked, subscribed.body]).toEqual([false, post.body]);
  });

  it("lets subscribers comment and tells other readers which entitlement would let them", async () => {
    const [admin, author] = [await given.anAdmin(), await given.anAuthor()];
    const [subscriber, reader] = [await given.aReaderWith(admin, [{ tier: "plus" }]), await given.aReader()];
    const post = await given.aPost(author, { access: "plus" });

    then.itAnswers(await when.comments(subscriber, post.postId, "Support holds at the 50-day average."), 201);
    const refused = then.itFails(await when.comments(reader, post.postId, "Me too"), 403, "subscription_required");

    expect(refused.requiredEntitlements).toEqual(expect.arrayContaining([{ tier: "plus" }, { tier: "ultimate" }]));
    const comments = then.itAnswers(await when.listsCommentsOf(post.postId, subscriber), 200);
    expect(comments.items.map((comment) => comment.body)).toEqual(["Support holds at the 50-day average."]);
  });

  it("shows a followed author's new post in the reader's feed, as a summary without its body", async () => {
    const [reader, author] = [await given.aReader(), await given.anAuthor()];
    await given.aFollow(reader, author);

    const post = await given.aPost(author);

    const [first] = await then.feedOf(reader);
    expect(first).toMatchObject({ postId: post.postId, authorId: author.userId, locked: false });
    expect(first).not.toHaveProperty("body");
  });

  it("deletes a post with its comments, and the author's post count drops", async () => {
    const author = await given.anAuthor();
    const post = await given.aPost(author);
    await given.aComment(author, post.postId, "A note to self.");

    then.itAnswers(await when.deletesPost(author, post.postId), 204);

    then.itFails(await when.readsPost(post.postId), 404, "not_found");
    then.itFails(await when.listsCommentsOf(post.postId), 404, "not_found");
    expect((await then.profileOf(author)).postCount).toBe(0);
  });

  it("takes a deleted account out of the counts of those it followed", async () => {
    const [leaver, author] = [await given.aReader(), await given.anAuthor()];
    await given.aFollow(leaver, author);

    then.itAnswers(await when.deletesOwnAccount(leaver), 204);

    expect(await then.followerCountOf(author)).toBe(0);
    then.itFails(await when.readsProfileOf(leaver), 404, "not_found");
  });

  it("refuses a protected route without a token with API Gateway's own 401, and an admin route to a reader", async () => {
    const reader = await given.aReader();

    then.theAuthorizerRefuses(await host.api.GET("/me"));
    then.itFails(await when.grants(reader, reader, [{ tier: "ultimate" }]), 403, "forbidden");
  });

  it("answers an unknown route 404 and a known path's other method 405, naming the allowed ones", async () => {
    const unknown = await host.api.unchecked("GET", "/no/such/route");
    expect([unknown.status, unknown.error.code]).toEqual([404, "not_found"]);

    const wrongMethod = await host.api.unchecked("POST", "/me");
    expect([wrongMethod.status, wrongMethod.error.code, wrongMethod.headers.allow]).toEqual([
      405,
      "method_not_allowed",
      "GET, PUT, DELETE",
    ]);
  });

  it("describes itself: its OpenAPI document and the reference page rendered from it", async () => {
    const description = then.itAnswers(await host.api.GET("/openapi.json"), 200);
    expect(description.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(description.paths)).toContain("/users/{userId}/follow");

    const page = await host.api.GET("/docs");
    expect([page.status, page.headers["content-type"]]).toEqual([200, "text/html; charset=utf-8"]);
  });
});
