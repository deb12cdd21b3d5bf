import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";

// Notices before deletion on (one lead of a second), so that the batch step sends one: its SES and Cognito grants.
vi.hoisted(() => {
  process.env.DELETION_NOTICE_LEADS = "PT1S";
});

import { handler as beginStep } from "../../functions/scheduled/cleanup-begin";
import { handler as findStep } from "../../functions/scheduled/cleanup-find-candidates";
import { handler as finishStep } from "../../functions/scheduled/cleanup-finish";
import { handler as recountStep } from "../../functions/scheduled/cleanup-recount";
import { asStepFunction, inProcessRunsSettled } from "../../infra/local/cleanup-runner";
import { reportAwsCall, runAs } from "../../infra/local/invocation-context";
import { routes } from "../../infra/routes";
import { RELATIONS_PER_SYNC_TRANSACTION } from "../../shared/db/outlook-store";
import type { CandidateCursor } from "../../shared/domain/cleanup";
import type { RunTicket } from "../../shared/domain/cleanup";
import { api } from "../support/api/in-process";
import { recordAwsCalls } from "../support/aws-calls";
import { aCompletedRun, exists, lastActiveAt } from "../support/cleanup";
import { aRestoreLeftToTheSweep, deactivatedDirectly, restoresSettled, stateOf } from "../support/second-chance";
import { postComment } from "../support/comments";
import { deniedCalls, neverExercised, type StackRoles, unusedGrants } from "../support/iam-proof";
import { fallbackSample, samplesForAllRoutes, seedFixtures, type Fixtures } from "../support/route-samples";
import { aReaderWithEmail, theLocalMailSink } from "../support/notices";
import { given } from "../support/given";
import { expectStatus, type TestUser } from "../support/host";
import { aPostInput } from "../support/posts";
import { when } from "../support/when";

// IAM proven offline. This file drives every route (each as a client would, signed in and
// anonymous where the route allows both, through its write paths), `$default`, and every step of a cleanup run as
// the state machine chains them, both as the admin route starts it and as the daily schedule does; an SDK
// middleware records which DynamoDB actions (and Step Functions and Lambda calls) each function makes on which
// resource. Then every recorded call is evaluated against the synthesized role of the function that made it with
// an IAM policy simulator, and every grant no call used is listed: least privilege, proven both ways.
// A route added to the table without being driven here fails as "never exercised".

const recorder = recordAwsCalls(process.env.TABLE_NAME!);
afterAll(() => recorder.stop());

/** The fixtures' accounts were last active two hours ago: their next signed-in request marks them active. */
async function activityDue({ reader, author, admin }: Fixtures): Promise<void> {
  const twoHoursAgo = new Date(Date.now() - 2 * 3600_000).toISOString();
  for (const user of [reader, author, admin]) await lastActiveAt(user, twoHoursAgo);
}

/**
 * Every route's sample request (test/support/route-samples.ts), each from a caller whose activity is due to be
 * marked, as sent and, on public routes, signed in too.
 */
async function everyRouteOnce(fixtures: Fixtures): Promise<void> {
  for (const sample of samplesForAllRoutes(fixtures)) {
    // A run the previous sample started holds the lease: the undo's sample would only meet it (409).
    await inProcessRunsSettled();
    await activityDue(fixtures);
    const { method, path, token, body } = sample.request;
    await api.unchecked(method, path, { ...(token ? { token } : {}), ...(body === undefined ? {} : { body }) });
    const route = routes.find((candidate) => `${candidate.method} ${candidate.path}` === sample.routeKey)!;
    if (route.auth === "optional")
      await api.unchecked(method, path, { token: fixtures.reader.token, ...(body === undefined ? {} : { body }) });
  }
  const unknown = fallbackSample(fixtures);
  await api.unchecked(unknown.method, unknown.path);
}

/**
 * Every route's sample again, each from a caller whose account is deactivated (contract 1.2): the request restores
 * it before anything else, whatever the route (its relation to a followee comes back and is recorded for its
 * history point, its comment gets its writer back), so every route's function makes the restore's calls.
 */
async function everyRouteAsAReturningAccount(fixtures: Fixtures): Promise<void> {
  const followee = await given.anAuthor();
  // Another author's post: a deactivation deletes the posts of the account deactivated.
  const free = await given.aPost(followee, { access: "free" });
  // The DELETE /me sample deleted its leaver in the first pass: another one leaves now.
  fixtures.leaver = await given.aReader();
  const callers = [fixtures.reader, fixtures.author, fixtures.admin, fixtures.leaver];
  // Readers (and another author) may comment on a free post once they hold an entitlement.
  for (const reader of [fixtures.reader, fixtures.leaver, fixtures.author]) {
    if (await exists(reader)) await given.entitlements(fixtures.admin, reader, [{ tier: "plus" }]);
  }
  for (const sample of samplesForAllRoutes(fixtures)) {
    const route = routes.find((candidate) => `${candidate.method} ${candidate.path}` === sample.routeKey)!;
    const { method, path, body } = sample.request;
    const token = sample.request.token ?? (route.auth === "optional" ? fixtures.reader.token : undefined);
    const caller = callers.find((user) => user.token === token);
    if (!caller || !(await exists(caller))) continue;
    await given.aFollow(caller, followee);
    expectStatus(await postComment(caller, free.postId, { body: "Still here" }), 201);
    await deactivatedDirectly(caller);
    await api.unchecked(method, path, { token: token!, ...(body === undefined ? {} : { body }) });
    await restoresSettled();
  }
  // A restore left to the sweep (a request's budget ran out): the state machine's sweep step gives it back.
  const returning = await given.aReader();
  await given.aFollow(returning, followee);
  await given.entitlements(fixtures.admin, returning, [{ tier: "plus" }]);
  expectStatus(await postComment(returning, free.postId, { body: "Back soon" }), 201);
  await deactivatedDirectly(returning);
  await aRestoreLeftToTheSweep(returning);
  await restoresSettled();
  expect(await stateOf(returning)).toBe("live");
}

/**
 * The write paths the samples leave out: a handle change, idempotent retries, pages, a post's access change, and
 * deletions of what has relations: a post with comments, an account that follows, is followed and commented.
 */
async function theOtherWritePaths(fixtures: Fixtures): Promise<void> {
  const { reader, author, admin } = fixtures;
  expectStatus(await when.savesProfile(reader, { handle: `${reader.handle}_2`, displayName: "Renamed" }), 200);
  for (let attempt = 0; attempt < 2; attempt++) {
    await api.POST("/posts", { token: author.token, body: aPostInput(), headers: { "Idempotency-Key": "iam-post" } });
    await postComment(author, fixtures.postId, { body: "Again" }, "iam-comment");
  }
  await when.listsFollowersOf(author, undefined, { limit: 1 });
  // A caller without a profile learns first that the user is unknown (a read of the followee).
  expect(
    (await api.PUT("/users/{userId}/follow", { path: { userId: "nobody-here" }, token: given.aLocalCaller().token }))
      .status,
  ).toBe(404);

  // A change of access moves the post's body to the key of its new access.
  expectStatus(await when.changesPost(author, fixtures.postId, { access: "plus" }), 200);
  expectStatus(await when.changesPost(author, fixtures.postId, { access: "free" }), 200);

  const commented = await given.aPost(author);
  expectStatus(await postComment(author, commented.postId, { body: "First" }), 201);
  expectStatus(await when.deletesPost(author, commented.postId), 204);

  const leaver = await given.aReader();
  await given.entitlements(admin, leaver, [{ tier: "plus" }]);
  await given.aFollow(leaver, author);
  await given.aFollow(reader, leaver);
  expectStatus(await postComment(leaver, fixtures.postId, { body: "Leaving" }), 201);
  expectStatus(await when.deletesOwnAccount(leaver), 204);
}

/**
 * Real cleanup runs begun by the admin route: the local runner plays the state machine and its step functions. The
 * first sends the inactive reader its notice (SES and Cognito as the batch step calls them in AWS), the one after
 * the lead deletes it.
 */
async function anAdminStartedRun(admin: TestUser): Promise<void> {
  const author = await given.anAuthor();
  const leaving = await aReaderWithEmail();
  await given.aFollow(leaving, author);
  // Followees beyond one outlook sync transaction: the notice's sync sends a first transaction that checks the
  // reader's profile (ConditionCheckItem), the sync's end with the last.
  for (let i = 0; i < RELATIONS_PER_SYNC_TRANSACTION; i++) await given.aFollow(leaving, await given.aReader());
  const post = await given.aPost(author);
  await given.entitlements(admin, leaving, [{ tier: "plus" }]);
  expectStatus(await postComment(leaving, post.postId, { body: "Bye" }), 201);
  // Only an account without an entitlement is deleted for inactivity.
  await given.entitlements(admin, leaving, []);
  await lastActiveAt(leaving, "2020-02-01T00:00:00.000Z");
  // A dry run first (it counts what the run would change), then the real one.
  await aCompletedRun(admin, { dryRun: true, cutoff: "2021-01-01T00:00:00Z" });
  const warned = await aCompletedRun(admin, { cutoff: "2021-01-01T00:00:00Z" });
  expect(warned.noticesSent).toBe(1);
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  // Once the lead has passed, a dry run would delete it (its recount reads what it would delete), then a real run does.
  expect(await aCompletedRun(admin, { dryRun: true, cutoff: "2021-01-01T00:00:00Z" })).toMatchObject({
    accountsDeleted: 1,
  });
  expect(await aCompletedRun(admin, { cutoff: "2021-01-01T00:00:00Z" })).toMatchObject({ accountsDeleted: 1 });
  await inProcessRunsSettled();
}

/** The daily schedule: it starts the state machine with `{}`, whose Begin step then begins a run itself. */
async function aScheduledRun(): Promise<void> {
  await runAs({ kind: "cleanupSchedule" }, async () =>
    reportAwsCall("states:StartExecution", { kind: "cleanupStateMachine" }),
  );
  await runAs({ kind: "cleanupStateMachine" }, async () => {
    const { run } = await asStepFunction("begin", () => beginStep({}));
    if (!run) throw new Error("the scheduled run found the lease taken");
    // A second start while it runs finds the lease taken (the Begin step's other path).
    await asStepFunction("begin", () => beginStep({}));
    await runSteps(run);
    await asStepFunction("finish", () => finishStep({ run, status: "failed" }));
  });
}

async function runSteps(run: RunTicket): Promise<void> {
  // Loaded only now: with notices on, the step reads its mail settings as it loads (the sink's, by then).
  const { handler: processStep } = await import("../../functions/scheduled/cleanup-process-batch");
  let cursor: CandidateCursor | null = null;
  do {
    const page = await asStepFunction("findCandidates", () => findStep({ run, cursor }));
    for (const userIds of page.batches) {
      let state = { run, userIds };
      while (state.userIds.length > 0) state = await asStepFunction("processBatch", () => processStep(state));
    }
    cursor = page.cursor;
  } while (cursor);
  while (!(await asStepFunction("recount", () => recountStep({ run }))).done);
  await asStepFunction("finish", () => finishStep({ run, status: "succeeded" }));
}

describe("IAM, proven by simulation against the synthesized roles", () => {
  // Synthesized once for the whole run by test/support/global-setup.ts.
  const roles: StackRoles = inject("stackRoles");

  let sink: Awaited<ReturnType<typeof theLocalMailSink>>;
  afterAll(() => sink.stop());

  beforeAll(async () => {
    sink = await theLocalMailSink();
    const fixtures = await seedFixtures();
    await everyRouteOnce(fixtures);
    await inProcessRunsSettled();
    await theOtherWritePaths(fixtures);
    await anAdminStartedRun(fixtures.admin);
    await aScheduledRun();
    // Last: a returning author's deactivation deletes its posts, which the write paths above use.
    await everyRouteAsAReturningAccount(fixtures);
    recorder.stop();
  }, 180_000);

  it("drives every function of the stack: each route, $default, each cleanup step, the state machine, the schedule", () => {
    expect(neverExercised(roles, recorder.ran())).toEqual([]);
  });

  it("makes no call that the calling function's role does not allow", async () => {
    expect(await deniedCalls(roles, recorder.calls())).toEqual([]);
  });

  it("grants no action on any resource that no recorded call used (least privilege)", async () => {
    expect(await unusedGrants(roles, recorder.calls())).toEqual([]);
  });
});
