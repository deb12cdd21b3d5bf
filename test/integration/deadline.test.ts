import { describe, expect, it } from "vitest";
import { lambdaContext } from "../../infra/local/lambda-context";
import { DEFAULT_TIMEOUT_SECONDS, routes } from "../../infra/routes";
import { handler as recountStepHandler } from "../../functions/scheduled/cleanup-recount";
import { ANSWER_MARGIN_MS } from "../../shared/deadline";
import { DomainError } from "../../shared/errors";
import type { HostedRoute } from "../../infra/local/server";
import { inProcessApi } from "../support/api/in-process";
import type { AnyAnswer } from "../support/api/client";
import { expectNoDrift } from "../support/audit";
import { aCompletedRun } from "../support/cleanup-runs";
import { slowDown, slowNetwork, throttleStorm } from "../support/faults";
import { given } from "../support/given";
import { someComments, storedCommentIndexOf, storedCommentsOf } from "../support/post-storage";
import { recordDynamoDbRequests } from "../support/request-recorder";
import { expectError, then } from "../support/then";
import { when } from "../support/when";

// The per-request deadline (shared/deadline.ts): a function's DynamoDB calls, the SDK's own retries and the stores'
// retries all end by (remaining time − 1 s), so a request DynamoDB cannot serve in time answers 503 `unavailable`
// with retry-after, before its function's timeout, never API Gateway's bare 500 at it. The faults are DynamoDB's
// as the SDK meets them in AWS: throttling inside the SDK's retry loop (its backoff runs first), and a network that
// is slow or hangs (a TCP proxy: only the SDK's HTTP handler can end such a call).

const EVERY_COMMAND = () => true;

/** The real route table with every function's timeout set to `seconds`: the deadline must follow it. */
const withTimeouts = (seconds: number): HostedRoute[] => routes.map((route) => ({ ...route, timeoutSeconds: seconds }));

/** A request and how long it took to answer, from the test's side (the invocation starts a little after). */
async function timed(send: () => Promise<AnyAnswer>): Promise<{ response: AnyAnswer; elapsedMs: number }> {
  const started = Date.now();
  const response = await send();
  return { response, elapsedMs: Date.now() - started };
}

function expectUnavailableInTime(answer: { response: AnyAnswer; elapsedMs: number }, timeoutSeconds: number): void {
  expectError(answer.response, 503, "unavailable", `after ${answer.elapsedMs} ms`);
  expect(answer.response.headers["retry-after"]).toBe("1");
  // Before the function's timeout, where the local host (as Lambda and API Gateway) would answer a bare 500.
  expect(answer.elapsedMs, "answered before the function's timeout").toBeLessThan(timeoutSeconds * 1000);
  console.log(
    `deadline: answered 503 after ${answer.elapsedMs} ms of a ${timeoutSeconds} s function (deadline at ${timeoutSeconds * 1000 - ANSWER_MARGIN_MS} ms)`,
  );
}

describe("a request whose DynamoDB calls cannot be served within its function's time", () => {
  it(
    "answers 503 with retry-after before the route's 10 s timeout when every request is throttled through the SDK's own retries",
    { timeout: 30_000 },
    async () => {
      const reader = await given.aReader();
      then.itAnswers(await when.readsOwnAccount(reader), 200); // the function is warm
      const recording = recordDynamoDbRequests();
      const storm = throttleStorm(EVERY_COMMAND);
      try {
        const answer = await timed(() => when.readsOwnAccount(reader));
        expectUnavailableInTime(answer, DEFAULT_TIMEOUT_SECONDS);
        // The SDK sent each of the stores' tries more than once (its own retries and backoff) before giving up.
        expect(storm.sends()).toBeGreaterThan(recording.commands().length);
        console.log(`deadline: ${recording.commands().length} tries of the stores, ${storm.sends()} sends of the SDK`);
      } finally {
        storm.stop();
        recording.stop();
      }
    },
  );

  it(
    "answers 503 before the route's 10 s timeout when DynamoDB hangs, its socket closed at the deadline",
    {
      timeout: 30_000,
    },
    async () => {
      const author = await given.anAuthor();
      await then.profileOf(author);
      const network = await slowNetwork(Infinity, EVERY_COMMAND);
      try {
        const answer = await timed(() => when.readsProfileOf(author));
        expectUnavailableInTime(answer, DEFAULT_TIMEOUT_SECONDS);
        // It waited for DynamoDB until the deadline, not less.
        expect(answer.elapsedMs).toBeGreaterThanOrEqual(DEFAULT_TIMEOUT_SECONDS * 1000 - ANSWER_MARGIN_MS - 50);
        // The SDK's handler destroyed the hung request's socket: nothing of it outlives the invocation.
        await expect.poll(() => network.openConnections(), { timeout: 1_000 }).toBe(0);
      } finally {
        await network.stop();
      }
    },
  );

  it("takes its deadline from its own function's timeout (3 s here) when DynamoDB is slow", async () => {
    const [reader, author] = [await given.aReader(), await given.anAuthor()];
    const api = inProcessApi({ routeTable: withTimeouts(3) });
    // Each request 1.2 s late: the follow reads the caller, then the followee, then writes: 3.6 s in all.
    const network = await slowNetwork(1_200, EVERY_COMMAND);
    try {
      const answer = await timed(() =>
        api.PUT("/users/{userId}/follow", { path: { userId: author.userId }, token: reader.token }),
      );
      expectUnavailableInTime(answer, 3);
    } finally {
      await network.stop();
    }
    expect(await then.followerCountOf(author)).toBe(0);
  });

  it("writes nothing when its write is throttled until the deadline: the follow is not there, and goes through later", async () => {
    const [reader, author] = [await given.aReader(), await given.anAuthor()];
    const api = inProcessApi({ routeTable: withTimeouts(3) });
    const storm = throttleStorm((command) => command === "TransactWriteItems");
    try {
      const answer = await timed(() =>
        api.PUT("/users/{userId}/follow", { path: { userId: author.userId }, token: reader.token }),
      );
      expectUnavailableInTime(answer, 3);
    } finally {
      storm.stop();
    }
    expect(then.itAnswers(await when.asksWhetherFollowing(reader, author), 200)).toEqual({ following: false });
    expect(await then.followerCountOf(author)).toBe(0);
    await given.aFollow(reader, author);
    expect(await then.followerCountOf(author)).toBe(1);
    then.itAnswers(await when.follows(reader, author), 200);
  });
});

describe("a cleanup step whose DynamoDB calls cannot be served within its function's time", () => {
  it("fails on its own with `unavailable` before Lambda's timeout (4 s here), for the state machine to retry", async () => {
    const storm = throttleStorm(EVERY_COMMAND);
    const started = Date.now();
    try {
      const step = recountStepHandler(
        { run: { runId: "run-under-a-storm", dryRun: false, cutoff: "2025-01-01T00:00:00.000Z" } },
        lambdaContext("CleanupRecount", 4),
      );
      await expect(step).rejects.toSatisfy((error) => error instanceof DomainError && error.code === "unavailable");
    } finally {
      storm.stop();
    }
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});

describe("the budgets of long requests, counted back from the deadline", () => {
  it(
    "DELETE /me of an author whose post has many comments stops between rounds of them in time and answers 204; the next run finishes it",
    { timeout: 120_000 },
    async () => {
      const [admin, author, reader] = [await given.anAdmin(), await given.anAuthor(), await given.aReader()];
      const post = await given.aPost(author);
      await someComments(post.postId, [reader], 400);
      // Every batch of 25 deletes takes 400 ms: a round of 100 comments (8 batches) 3.2 s, all of them 12.8 s.
      const slow = slowDown(400, (command) => command === "BatchWriteItem");
      let answer: Awaited<ReturnType<typeof timed>>;
      try {
        answer = await timed(() => when.deletesOwnAccount(author));
      } finally {
        slow.stop();
      }
      expect(answer.response.status, `after ${answer.elapsedMs} ms: ${answer.response.text}`).toBe(204);
      then.itFails(await when.readsProfileOf(author), 404, "not_found");
      expect((await storedCommentsOf(post.postId)).length).toBeGreaterThan(0);

      await aCompletedRun(admin);
      expect(await storedCommentsOf(post.postId)).toEqual([]);
      expect(await storedCommentIndexOf(reader)).toEqual([]);
      await expectNoDrift();
    },
  );
});
