import type { IncomingRequest } from "../../infra/local/api-gateway-event";
import { routes } from "../../infra/routes";
import { api } from "./api/in-process";
import { given } from "./given";
import { expectStatus, type TestUser } from "./host";
import { aPostInput } from "./posts";

export interface SampleRequest {
  method: string;
  path: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Fixtures {
  reader: TestUser;
  author: TestUser;
  admin: TestUser;
  /** A plus post of the author's, read, listed and changed by the samples. */
  postId: string;
  /** A post the DELETE sample deletes: its first run answers 204, later runs of the same event 404. */
  postToDeleteId: string;
  /** A comment of the author's on `postId`, which the comment DELETE sample deletes (then 404, as above). */
  commentToDeleteId: string;
  /** A reader whose account the DELETE /me sample deletes (first run 204, later runs 404). */
  leaver: TestUser;
  /** A finished (dry) cleanup run. */
  runId: string;
  /** The body of the posts the samples publish, read and delete. */
  postBody: string;
}

/**
 * Accounts and data every sample request can rely on. `postBody` is the body of the samples' posts (the
 * cost benchmark's claims are for 50,000 characters; by default a short one).
 */
export async function seedFixtures(options: { postBody?: string } = {}): Promise<Fixtures> {
  const postBody = options.postBody ?? aPostInput().body;
  const [reader, author, admin, leaver] = [
    await given.aReader(),
    await given.anAuthor(),
    await given.anAdmin(),
    await given.aReader(),
  ];
  const post = await given.aPost(author, { access: "plus", body: postBody });
  const postToDelete = await given.aPost(author, { body: postBody });
  // The reader follows the author, so lists have a row; the admin's follow is what the DELETE sample removes.
  for (const follower of [reader, admin]) {
    await given.aFollow(follower, author);
  }
  const comment = await api.POST("/posts/{postId}/comments", {
    path: { postId: post.postId },
    token: author.token,
    body: { body: "Sample comment" },
  });
  expectStatus(comment, 201);
  // A finished dry run, for the run routes to read (the local runner works in the background: wait for it).
  const started = await api.POST("/admin/cleanup-runs", {
    token: admin.token,
    body: { dryRun: true, cutoff: "2024-01-01T00:00:00Z" },
  });
  expectStatus(started, 202);
  const runId = started.data.runId;
  for (let i = 0; i < 400; i++) {
    if (
      (await api.GET("/admin/cleanup-runs/{runId}", { path: { runId }, token: admin.token })).data.status !== "running"
    )
      break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    reader,
    author,
    admin,
    leaver,
    runId,
    postBody,
    postId: post.postId,
    postToDeleteId: postToDelete.postId,
    commentToDeleteId: comment.data.commentId,
  };
}

type SampleFactory = (fixtures: Fixtures) => SampleRequest;

// One representative request per route, answered successfully against DynamoDB Local.
const samples: Record<string, SampleFactory> = {
  "GET /health": () => ({ method: "GET", path: "/health" }),
  "GET /openapi.json": () => ({ method: "GET", path: "/openapi.json" }),
  "GET /docs": () => ({ method: "GET", path: "/docs" }),
  "GET /docs/reference.js": () => ({
    method: "GET",
    path: "/docs/reference.js",
    headers: { "accept-encoding": "gzip" },
  }),
  "PUT /me": ({ reader }) => ({
    method: "PUT",
    path: "/me",
    token: reader.token,
    body: { handle: reader.handle, displayName: "Reader" },
  }),
  "GET /me": ({ reader }) => ({ method: "GET", path: "/me", token: reader.token }),
  // The author's: the reader and the admin follow it.
  "GET /me/follower-outlook": ({ author }) => ({ method: "GET", path: "/me/follower-outlook", token: author.token }),
  // The author's export: its posts with their bodies, its comments, the accounts it follows.
  "GET /me/export": ({ author }) => ({ method: "GET", path: "/me/export?limit=100", token: author.token }),
  "GET /users/{userId}": ({ author }) => ({ method: "GET", path: `/users/${author.userId}` }),
  "GET /handles/{handle}": ({ author }) => ({ method: "GET", path: `/handles/${author.handle}` }),
  "PUT /admin/users/{userId}/entitlements": ({ admin, reader }) => ({
    method: "PUT",
    path: `/admin/users/${reader.userId}/entitlements`,
    token: admin.token,
    body: { entitlements: [{ tier: "plus" }] },
  }),
  "POST /posts": ({ author, postBody }) => ({
    method: "POST",
    path: "/posts",
    token: author.token,
    body: aPostInput({ body: postBody }),
  }),
  "GET /posts/{postId}": ({ reader, postId }) => ({ method: "GET", path: `/posts/${postId}`, token: reader.token }),
  "PATCH /posts/{postId}": ({ author, postId }) => ({
    method: "PATCH",
    path: `/posts/${postId}`,
    token: author.token,
    body: { title: "Revised outlook" },
  }),
  "DELETE /posts/{postId}": ({ author, postToDeleteId }) => ({
    method: "DELETE",
    path: `/posts/${postToDeleteId}`,
    token: author.token,
  }),
  "GET /users/{userId}/posts": ({ author }) => ({ method: "GET", path: `/users/${author.userId}/posts` }),
  // Repeated, a follow or an unfollow answers 200 with nothing to change: the idempotent path.
  "PUT /users/{userId}/follow": ({ reader, author }) => ({
    method: "PUT",
    path: `/users/${author.userId}/follow`,
    token: reader.token,
  }),
  "DELETE /users/{userId}/follow": ({ admin, author }) => ({
    method: "DELETE",
    path: `/users/${author.userId}/follow`,
    token: admin.token,
  }),
  "GET /users/{userId}/follow": ({ reader, author }) => ({
    method: "GET",
    path: `/users/${author.userId}/follow`,
    token: reader.token,
  }),
  "GET /users/{userId}/followers": ({ author }) => ({ method: "GET", path: `/users/${author.userId}/followers` }),
  "GET /users/{userId}/following": ({ reader }) => ({ method: "GET", path: `/users/${reader.userId}/following` }),
  // The author may always comment on (and read the comments of) the plus post; a reader without Plus may not.
  "POST /posts/{postId}/comments": ({ author, postId }) => ({
    method: "POST",
    path: `/posts/${postId}/comments`,
    token: author.token,
    body: { body: "Support holds at the 50-day average." },
  }),
  "GET /posts/{postId}/comments": ({ author, postId }) => ({
    method: "GET",
    path: `/posts/${postId}/comments`,
    token: author.token,
  }),
  "DELETE /posts/{postId}/comments/{commentId}": ({ author, postId, commentToDeleteId }) => ({
    method: "DELETE",
    path: `/posts/${postId}/comments/${commentToDeleteId}`,
    token: author.token,
  }),
  "DELETE /me": ({ leaver }) => ({ method: "DELETE", path: "/me", token: leaver.token }),
  "GET /users/{userId}/follower-history": ({ author }) => ({
    method: "GET",
    path: `/users/${author.userId}/follower-history`,
  }),
  // A dry run: it changes nothing, however often the sample runs (while one runs, another start answers 409).
  "POST /admin/cleanup-runs": ({ admin }) => ({
    method: "POST",
    path: "/admin/cleanup-runs",
    token: admin.token,
    body: { dryRun: true, cutoff: "2024-01-01T00:00:00Z" },
  }),
  "GET /admin/cleanup-runs": ({ admin }) => ({
    method: "GET",
    path: "/admin/cleanup-runs?limit=1",
    token: admin.token,
  }),
  "GET /admin/cleanup-runs/{runId}": ({ admin, runId }) => ({
    method: "GET",
    path: `/admin/cleanup-runs/${runId}`,
    token: admin.token,
  }),
  "GET /admin/cleanup-runs/{runId}/count-changes": ({ admin, runId }) => ({
    method: "GET",
    path: `/admin/cleanup-runs/${runId}/count-changes?limit=1`,
    token: admin.token,
  }),
  // An undo of the finished dry run: it deactivated nobody, so there is nothing to give back (202 all the same).
  "POST /admin/cleanup-runs/{runId}/restore": ({ admin, runId }) => ({
    method: "POST",
    path: `/admin/cleanup-runs/${runId}/restore`,
    token: admin.token,
  }),
  "GET /admin/users/{userId}/notices": ({ admin, reader }) => ({
    method: "GET",
    path: `/admin/users/${reader.userId}/notices`,
    token: admin.token,
  }),
  // The reader follows the author (seedFixtures), so the feed holds the author's posts.
  "GET /feed": ({ reader }) => ({ method: "GET", path: "/feed", token: reader.token }),
};

export const fallbackSample: SampleFactory = () => ({ method: "GET", path: "/no/such/route" });

/** The sample for every route of the table; a route without one is an error, so none is skipped silently. */
export function samplesForAllRoutes(fixtures: Fixtures): { routeKey: string; entry: string; request: SampleRequest }[] {
  return routes.map((route) => {
    const routeKey = `${route.method} ${route.path}`;
    const factory = samples[routeKey];
    if (!factory) throw new Error(`test/support/route-samples.ts has no sample request for ${routeKey}`);
    return { routeKey, entry: route.entry, request: factory(fixtures) };
  });
}

export function toIncomingRequest(sample: SampleRequest): IncomingRequest {
  const headers: Record<string, string> = { "content-type": "application/json", ...sample.headers };
  if (sample.token) headers.authorization = `Bearer ${sample.token}`;
  return {
    method: sample.method,
    url: new URL(sample.path, "http://localhost"),
    headers,
    body: sample.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(sample.body)),
    sourceIp: "127.0.0.1",
  };
}
