import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asInvocation, hostConcurrentInvocations, MAX_CONCURRENCY_VARIABLE } from "../../infra/local/invoke-store";
import { StructuredLogger } from "../../shared/logger";
import { publishBusinessMetrics, recordBusinessMetric } from "../../shared/metrics";
import { METRICS_NAMESPACE, SERVICE_NAME } from "../../shared/observability-names";
import { captureOutput } from "../support/output";

// The functions' log and metric lines were Powertools Logger's and Metrics' until issue 20 took those packages out
// of every bundle (31 KB). The same calls, written through Powertools (a devDependency for this proof) and through
// shared/logger.ts and shared/metrics.ts, must write the same lines, field for field and in the same order, in a
// classic environment and with concurrent invocations; only the time stamps differ.

const saved = { ...process.env };
beforeAll(() => {
  // A Lambda environment's first invocation is its cold start; traced by X-Ray; metrics published.
  Object.assign(process.env, {
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    _X_AMZN_TRACE_ID: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    POWERTOOLS_METRICS_DISABLED: "false",
  });
  delete process.env.POWERTOOLS_DEV;
});
afterAll(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

const contextOf = (requestId: string): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: "GetMe",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:eu-central-1:123456789012:function:GetMe",
  memoryLimitInMB: "512",
  awsRequestId: requestId,
  logGroupName: "/aws/lambda/GetMe",
  logStreamName: "stream",
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** The lines written while `write` runs, each parsed, its time stamps replaced. */
async function linesOf(write: () => Promise<void> | void): Promise<string[]> {
  const output = captureOutput();
  try {
    await write();
  } finally {
    output.stop();
  }
  return output
    .jsonLines()
    .map((line) =>
      JSON.stringify(line, (key, value: unknown) => (key === "timestamp" || key === "Timestamp" ? "<time>" : value)),
    );
}

type Write = (message: string, ...attributes: Record<string, unknown>[]) => void;

/** The calls the functions make, which both loggers take. */
interface LoggerLike extends Pick<StructuredLogger, "addContext" | "appendKeys" | "resetKeys" | "setCorrelationId"> {
  debug: Write;
  info: Write;
  warn: Write;
  error: Write;
}

// One error (its stack) for both loggers: an unhandled error with a cause and fields of its own.
const cause = new Error("the condition failed");
const error = Object.assign(new Error("boom", { cause }), { code: "E_BOOM", retryable: false });
const circular: Record<string, unknown> = { name: "loop" };
circular.self = circular;

/** What the functions log over two invocations: the request line, an unhandled error, odd values, reserved keys. */
async function aStoryOfLogs(logger: LoggerLike): Promise<void> {
  logger.info("before any invocation");
  logger.addContext(contextOf("request-1"));
  logger.setCorrelationId("api-gateway-1");
  logger.appendKeys({ route: "GET /me" });
  logger.appendKeys({ user_id: "alice" });
  logger.info("request", { status: 200, duration_ms: 12 });
  logger.error("unhandled error", { error });
  logger.warn("odd values", { big: 10n, nested: { list: [1, { deep: true }] }, empty: "", none: null, circular });
  logger.appendKeys({ level: "ignored", run_id: "r1" });
  logger.debug("below the level");
  logger.resetKeys();
  logger.info("keys reset, context kept");
  logger.addContext(contextOf("request-2"));
  logger.info("a warm invocation");
}

describe("the log lines, against Powertools Logger's", () => {
  it("are the same in a classic environment (one invocation at a time)", async () => {
    const powertools = await linesOf(() => aStoryOfLogs(new Logger({ serviceName: SERVICE_NAME, logLevel: "INFO" })));
    const ours = await linesOf(() =>
      aStoryOfLogs(new StructuredLogger({ serviceName: SERVICE_NAME, logLevel: "info" })),
    );
    expect(ours).toEqual(powertools);
    expect(ours).toHaveLength(7);
  });

  it("follow Lambda's advanced logging controls over the configured level, and say so", async () => {
    process.env.AWS_LAMBDA_LOG_LEVEL = "WARN";
    try {
      const story = (logger: LoggerLike) => {
        logger.info("not at WARN");
        logger.warn("at WARN");
      };
      const powertools = await linesOf(() => story(new Logger({ serviceName: SERVICE_NAME, logLevel: "DEBUG" })));
      const ours = await linesOf(() => story(new StructuredLogger({ serviceName: SERVICE_NAME, logLevel: "debug" })));
      expect(ours).toEqual(powertools);
      expect(ours.map((line) => (JSON.parse(line) as { message?: unknown }).message)).toEqual([
        expect.stringContaining("Advanced Logging Controls"),
        "at WARN",
      ]);
    } finally {
      delete process.env.AWS_LAMBDA_LOG_LEVEL;
    }
  });
});

/** Two invocations run at once, their lines interleaved: each line carries its own invocation's keys and context. */
async function concurrentInvocations(logger: LoggerLike): Promise<void> {
  const turn = () => new Promise((resolveTurn) => setImmediate(resolveTurn));
  const invocation = (requestId: string, user: string) =>
    asInvocation(async () => {
      logger.addContext(contextOf(requestId));
      logger.appendKeys({ user_id: user });
      await turn();
      logger.info("request", { status: 200 });
      await turn();
      logger.resetKeys();
      logger.info("after the request");
    }, requestId);
  await Promise.all([invocation("request-a", "alice"), invocation("request-b", "bob")]);
}

describe("the log lines and metrics with concurrent invocations (the local host, a Lambda Managed Instance)", () => {
  const concurrency = process.env[MAX_CONCURRENCY_VARIABLE];
  beforeAll(() => hostConcurrentInvocations(32));
  afterAll(() => {
    if (concurrency === undefined) delete process.env[MAX_CONCURRENCY_VARIABLE];
    else process.env[MAX_CONCURRENCY_VARIABLE] = concurrency;
  });

  it("are Powertools Logger's, each invocation's keys its own", async () => {
    const powertools = await linesOf(() => concurrentInvocations(new Logger({ serviceName: SERVICE_NAME })));
    const ours = await linesOf(() =>
      concurrentInvocations(new StructuredLogger({ serviceName: SERVICE_NAME, logLevel: "info" })),
    );
    expect(ours.map((line) => (JSON.parse(line) as { user_id?: unknown }).user_id)).toEqual([
      "alice",
      "bob",
      undefined,
      undefined,
    ]);
    expect(ours).toEqual(powertools);
  });

  it("are Powertools Metrics' EMF lines, each invocation's counts its own", async () => {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
    const countedBy = (
      count: (name: "PostsPublished" | "ConflictsRetried", value?: number) => void,
      publish: () => void,
    ) =>
      linesOf(async () => {
        await Promise.all(
          ["request-a", "request-b"].map((requestId, i) =>
            asInvocation(async () => {
              count("ConflictsRetried");
              await new Promise((resolveTurn) => setImmediate(resolveTurn));
              count("ConflictsRetried", i + 2);
              if (i === 0) count("PostsPublished");
              publish();
            }, requestId),
          ),
        );
        // An invocation that counted nothing writes nothing.
        await asInvocation(async () => publish(), "request-c");
      });
    const powertools = await countedBy(
      (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
      () => {
        if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      },
    );
    const ours = await countedBy(recordBusinessMetric, publishBusinessMetrics);
    expect(ours).toHaveLength(2);
    expect(ours).toEqual(powertools);
  });
});

describe("the metrics, against Powertools Metrics'", () => {
  it("are the same EMF lines in a classic environment: repeated counts as a list, nothing without counts", async () => {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
    const powertools = await linesOf(() => {
      metrics.addMetric("PostsPublished", MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      metrics.addMetric("ConflictsRetried", MetricUnit.Count, 1);
      metrics.addMetric("ConflictsRetried", MetricUnit.Count, 3);
      metrics.addMetric("ServiceUnavailable", MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    });
    const ours = await linesOf(() => {
      recordBusinessMetric("PostsPublished");
      publishBusinessMetrics();
      recordBusinessMetric("ConflictsRetried");
      recordBusinessMetric("ConflictsRetried", 3);
      recordBusinessMetric("ServiceUnavailable");
      publishBusinessMetrics();
      publishBusinessMetrics();
    });
    expect(ours).toHaveLength(2);
    expect(ours).toEqual(powertools);
  });
});
