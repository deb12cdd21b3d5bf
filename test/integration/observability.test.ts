import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { handler as processBatchStep } from "../../functions/scheduled/cleanup-process-batch";
import { lambdaContext } from "../../infra/local/lambda-context";
import { observedStep } from "../../shared/invocation-telemetry";
import { beginRun, failRun, ticketOf } from "../../shared/use-cases/cleanup/lease";
import { logger } from "../../shared/logger";
import { recordBusinessMetric } from "../../shared/metrics";
import { lastActiveAt } from "../support/cleanup-runs";
import { injectTransactionConflicts } from "../support/conflicts";
import { captureOutput, type CapturedOutput } from "../support/output";
import { given } from "../support/given";
import { expectStatus, type TestUser } from "../support/host";
import { aPostInput } from "../support/posts";
import { when } from "../support/when";

// Logs and business metrics as the functions write them (shared/logger.ts, shared/metrics.ts): read here from this
// process's output. The logger reads LOG_LEVEL once, when it loads, so this file sets it before any import.
const previous = vi.hoisted(() => {
  const saved = {
    LOG_LEVEL: process.env.LOG_LEVEL,
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED,
  };
  process.env.LOG_LEVEL = "info";
  process.env.POWERTOOLS_METRICS_DISABLED = "false";
  return saved;
});
afterAll(() => Object.assign(process.env, previous));

let output: CapturedOutput;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.stop());

const requestLines = () => output.jsonLines().filter((line) => line.message === "request");
const metricLines = () => output.jsonLines().filter((line) => line._aws !== undefined);

/** The EMF line's declared metrics, e.g. `[{ Name: "PostsPublished", Unit: "Count" }]`, and its values. */
function emfMetrics(line: Record<string, unknown>) {
  const declared = (
    line._aws as {
      CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
    }
  ).CloudWatchMetrics[0]!;
  return { namespace: declared.Namespace, dimensions: declared.Dimensions, metrics: declared.Metrics, values: line };
}

/** A metric's count in an EMF line: a value, or the values of each time it was counted (CloudWatch sums them). */
function total(line: Record<string, unknown>, name: string): number {
  const value = line[name];
  return Array.isArray(value) ? value.reduce((sum: number, one: number) => sum + one, 0) : Number(value);
}

describe("request logs under concurrent requests", () => {
  it("tags every request's line with that request's ID, route and caller, and never with another's", async () => {
    const callers = Array.from({ length: 100 }, () => given.aLocalCaller());

    const answers = await Promise.all(
      callers.map((caller) => when.savesProfile(caller, { handle: caller.handle, displayName: caller.handle })),
    );

    answers.forEach((answer) => expectStatus(answer, 201));
    const lines = requestLines();
    expect(lines).toHaveLength(callers.length);
    const lineOf = new Map(lines.map((line) => [line.correlation_id, line]));
    expect(lineOf.size, "distinct request IDs among the lines").toBe(callers.length);
    callers.forEach((caller, i) => {
      const line = lineOf.get(answers[i]!.headers["apigw-requestid"]);
      expect(line, `the line of ${caller.userId}'s request`).toMatchObject({
        user_id: caller.userId,
        route: "PUT /me",
        function_name: "PutMe",
        status: 201,
        service: "trading-community",
      });
    });
    expect(new Set(lines.map((line) => line.function_request_id)).size, "distinct Lambda request IDs").toBe(
      callers.length,
    );
  });

  it("writes neither tokens nor bodies", async () => {
    const caller = given.aLocalCaller();

    const answer = await when.savesProfile(caller, { handle: caller.handle, displayName: "Secret Name" });

    expectStatus(answer, 201);
    expect(requestLines()).toHaveLength(1);
    expect(output.text()).not.toContain(caller.token.split(".")[2]);
    expect(output.text()).not.toContain("Secret Name");
  });
});

describe("business metrics in EMF", () => {
  let author: TestUser;
  beforeEach(async () => {
    author = await given.anAuthor();
    output.stop();
    output = captureOutput();
  });

  it("counts a published post in the invocation's EMF line", async () => {
    await given.aPost(author);

    const [line, ...more] = metricLines();
    expect(more).toEqual([]);
    const { namespace, dimensions, metrics, values } = emfMetrics(line!);
    expect(namespace).toBe("TradingCommunity");
    expect(dimensions).toEqual([["service"]]);
    expect(metrics).toEqual([{ Name: "PostsPublished", Unit: "Count" }]);
    expect(values).toMatchObject({ PostsPublished: 1, service: "trading-community" });
  });

  it("counts a 503 on any route, and nothing for a read", async () => {
    const conflicts = injectTransactionConflicts();
    let refused;
    try {
      refused = await when.publishes(author, aPostInput());
    } finally {
      conflicts.remove();
    }
    await when.readsOwnAccount(author);

    expectStatus(refused, 503);
    const lines = metricLines();
    expect(lines).toHaveLength(1);
    // Every try but the last was retried after its conflict (the retry budget: 10 tries).
    expect(emfMetrics(lines[0]!).metrics).toEqual([
      { Name: "ConflictsRetried", Unit: "Count" },
      { Name: "ServiceUnavailable", Unit: "Count" },
    ]);
    expect({
      retried: total(lines[0]!, "ConflictsRetried"),
      unavailable: total(lines[0]!, "ServiceUnavailable"),
    }).toEqual({ retried: 9, unavailable: 1 });
  });

  it("counts a follow that created a relation and an unfollow that removed one, and nothing for a repeat", async () => {
    const reader = await given.aReader();
    output.stop();
    output = captureOutput();
    await given.aFollow(reader, author);
    await given.aFollow(reader, author);
    await given.anUnfollow(reader, author);
    await given.anUnfollow(reader, author);

    const counted = metricLines().map((line) =>
      emfMetrics(line).metrics.map((metric) => `${metric.Name}=${String(line[metric.Name])}`),
    );
    expect(counted).toEqual([["FollowsStarted=1"], ["FollowsEnded=1"]]);
  });

  it("counts a conflict that a retry rode out, in the answer's own line", async () => {
    const conflicts = injectTransactionConflicts(2);
    try {
      await given.aPost(author);
    } finally {
      conflicts.remove();
    }
    const lines = metricLines();
    expect(lines).toHaveLength(1);
    expect({ retried: total(lines[0]!, "ConflictsRetried"), published: total(lines[0]!, "PostsPublished") }).toEqual({
      retried: 2,
      published: 1,
    });
  });
});

describe("a function outside the HTTP stack (a cleanup step)", () => {
  it("tags its lines with its Lambda context and publishes what it counted as it ends, even when it throws", async () => {
    const step = observedStep(async (event: { accounts: number }) => {
      recordBusinessMetric("AccountsDeleted", event.accounts);
      logger.info("batch done");
      throw new Error("the step failed after counting");
    });
    const context = lambdaContext("CleanupProcessBatch", 300);

    await expect(step({ accounts: 3 }, context)).rejects.toThrow("the step failed after counting");

    expect(output.jsonLines().find((line) => line.message === "batch done")).toMatchObject({
      function_name: "CleanupProcessBatch",
      function_request_id: context.awsRequestId,
    });
    const lines = metricLines();
    expect(lines).toHaveLength(1);
    expect(emfMetrics(lines[0]!).metrics).toEqual([{ Name: "AccountsDeleted", Unit: "Count" }]);
    expect(lines[0]).toMatchObject({ AccountsDeleted: 3 });
  });
});

describe("the cleanup's batch step", () => {
  it("counts each account it deleted, in the step's own EMF line", async () => {
    const readers = await Promise.all(Array.from({ length: 2 }, () => given.aReader()));
    for (const reader of readers) await lastActiveAt(reader, "2024-05-01T00:00:00.000Z");
    const run = await beginRun({ dryRun: false, cutoff: "2025-01-01T00:00:00.000Z" }, new Date());
    output.stop();
    output = captureOutput();

    const left = await processBatchStep(
      { run: ticketOf(run), userIds: readers.map((reader) => reader.userId) },
      lambdaContext("CleanupProcessBatch", 300),
    );

    expect(left.userIds).toEqual([]);
    const lines = metricLines();
    expect(lines).toHaveLength(1);
    expect(total(lines[0]!, "AccountsDeleted")).toBe(2);
    await failRun(ticketOf(run), new Date());
  });
});
