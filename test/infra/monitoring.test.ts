import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import type { CfnFunction, IFunction } from "aws-cdk-lib/aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { CLEANUP_STEP_TIMEOUT_SECONDS } from "../../functions/scheduled/cleanup-steps";
import { alarmSettings } from "../../infra/constructs/operations-monitoring";
import { DEFAULT_TIMEOUT_SECONDS, routeName, routes, timeoutSecondsOf } from "../../infra/routes";
import { buildApp, buildTemplate, resourcesOf } from "./build-app";

// The alarms, their topic and the dashboard (infra/constructs/operations-monitoring.ts), as `cdk synth` makes them.

const alarmEmail = "ops@example.com";
let built: ReturnType<typeof build> | undefined;
function build() {
  const { stack } = buildApp({ alarmEmail });
  const template = Template.fromStack(stack);
  const logicalId = (fn: IFunction) => stack.getLogicalId(fn.node.defaultChild as CfnFunction);
  const [topicId] = Object.keys(template.findResources("AWS::SNS::Topic"));
  return { stack, template, logicalId, topicRef: { Ref: topicId! } };
}
const deployed = () => (built ??= build());
// One synth of the whole app for the file, outside any test's time: CPU-bound, it takes seconds alone and over
// half a minute beside the other test files on a busy 2-core machine.
beforeAll(() => void deployed(), 120_000);

/** The alarm named `<stack>-<name>`, with its properties. */
function alarm(name: string): Record<string, any> {
  const { stack, template } = deployed();
  const found = resourcesOf(template, "AWS::CloudWatch::Alarm").find(
    ([, alarm]) => alarm.Properties.AlarmName === `${stack.stackName}-${name}`,
  );
  if (!found) throw new Error(`no alarm ${name}`);
  return found[1].Properties;
}

/** Threshold, evaluation and actions as every alarm of the stack has them: it notifies the topic on alarm and on OK. */
function expectAlarm(name: string, settings: { evaluationPeriods: number; datapoints: number }, threshold: number) {
  const { topicRef } = deployed();
  expect(alarm(name)).toMatchObject({
    Threshold: threshold,
    ComparisonOperator: "GreaterThanOrEqualToThreshold",
    EvaluationPeriods: settings.evaluationPeriods,
    DatapointsToAlarm: settings.datapoints,
    TreatMissingData: "notBreaching",
    AlarmActions: [topicRef],
    OKActions: [topicRef],
  });
}

const watchedFunctions = () => {
  const { stack } = deployed();
  return [
    ...routes.map((route) => ({
      name: routeName(route),
      fn: stack.routeFunctions.get(`${route.method} ${route.path}`)!,
      timeoutSeconds: timeoutSecondsOf(route),
    })),
    { name: "RouteNotFound", fn: stack.fallbackFunction, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS },
    ...Object.entries(stack.cleanup.stepFunctions).map(([step, fn]) => ({
      name: `Cleanup${step[0]!.toUpperCase()}${step.slice(1)}`,
      fn,
      timeoutSeconds: CLEANUP_STEP_TIMEOUT_SECONDS,
    })),
  ];
};

describe("the alarms", () => {
  it("watch the API's 5xx rate, once enough requests came, and its p99 latency", () => {
    const rate = alarmSettings.apiServerErrorRate;
    expectAlarm("ApiServerErrorRate", rate, 1);
    const metrics = alarm("ApiServerErrorRate").Metrics as Record<string, any>[];
    expect(metrics.find((metric) => metric.Expression)).toMatchObject({
      Expression: "IF(requests >= 20, 100 * errors / requests, 0)",
      ReturnData: true,
    });
    const stat = (id: string) => metrics.find((metric) => metric.Id === id)!.MetricStat;
    expect(stat("errors")).toMatchObject({
      Metric: { Namespace: "AWS/ApiGateway", MetricName: "5xx" },
      Period: 300,
      Stat: "Sum",
    });
    expect(stat("requests")).toMatchObject({
      Metric: { Namespace: "AWS/ApiGateway", MetricName: "Count" },
      Period: 300,
      Stat: "Sum",
    });
    expect(stat("errors").Metric.Dimensions).toEqual([
      { Name: "ApiId", Value: { Ref: expect.stringMatching(/^HttpApi/) } },
    ]);

    expectAlarm("ApiLatencyP99", alarmSettings.apiLatencyP99, 2_000);
    expect(alarm("ApiLatencyP99")).toMatchObject({
      Namespace: "AWS/ApiGateway",
      MetricName: "Latency",
      ExtendedStatistic: "p99",
      Period: 300,
    });
  });

  it("watch every function for errors, throttles and a duration near its own timeout", () => {
    const { logicalId } = deployed();
    const functions = watchedFunctions();
    expect(functions.length).toBeGreaterThan(30);
    for (const { name, fn, timeoutSeconds } of functions) {
      const dimensions = [{ Name: "FunctionName", Value: { Ref: logicalId(fn) } }];
      expectAlarm(`${name}-Errors`, alarmSettings.functionErrors, 1);
      expect(alarm(`${name}-Errors`)).toMatchObject({
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        Statistic: "Sum",
        Period: 300,
        Dimensions: dimensions,
      });
      expectAlarm(`${name}-Throttles`, alarmSettings.functionThrottles, 1);
      expect(alarm(`${name}-Throttles`)).toMatchObject({
        Namespace: "AWS/Lambda",
        MetricName: "Throttles",
        Statistic: "Sum",
        Dimensions: dimensions,
      });
      expectAlarm(`${name}-DurationNearTimeout`, alarmSettings.functionDurationNearTimeout, timeoutSeconds * 800);
      expect(alarm(`${name}-DurationNearTimeout`)).toMatchObject({
        Namespace: "AWS/Lambda",
        MetricName: "Duration",
        Statistic: "Maximum",
        Period: 300,
        Dimensions: dimensions,
      });
    }
    expect(alarm("CleanupProcessBatch-DurationNearTimeout").Threshold).toBe(240_000);
    expect(alarm("PostPosts-DurationNearTimeout").Threshold).toBe(8_000);
  });

  it("watch the table's throttle events and DynamoDB's system errors", () => {
    expectAlarm("TableThrottles", alarmSettings.tableThrottles, 10);
    const throttles = alarm("TableThrottles").Metrics as Record<string, any>[];
    expect(throttles.find((metric) => metric.Expression)?.Expression).toBe("reads + writes");
    expect(
      throttles
        .filter((metric) => metric.MetricStat)
        .map((metric) => metric.MetricStat.Metric.MetricName)
        .sort(),
    ).toEqual(["ReadThrottleEvents", "WriteThrottleEvents"]);

    expectAlarm("TableSystemErrors", alarmSettings.tableSystemErrors, 5);
    const systemErrors = (alarm("TableSystemErrors").Metrics as Record<string, any>[]).filter(
      (metric) => metric.MetricStat,
    );
    expect(new Set(systemErrors.map((metric) => metric.MetricStat.Metric.MetricName))).toEqual(
      new Set(["SystemErrors"]),
    );
    const operations = systemErrors.map(
      (metric) => metric.MetricStat.Metric.Dimensions.find((d: { Name: string }) => d.Name === "Operation").Value,
    );
    expect(operations).toEqual(
      expect.arrayContaining(["Query", "UpdateItem", "TransactWriteItems", "BatchGetItem", "BatchWriteItem"]),
    );
  });

  it("watch the cleanup state machine's failed and timed-out executions", () => {
    const stateMachine = { Name: "StateMachineArn", Value: { Ref: expect.stringMatching(/^CleanupStateMachine/) } };
    expectAlarm("CleanupFailed", alarmSettings.cleanupFailed, 1);
    expect(alarm("CleanupFailed")).toMatchObject({
      Namespace: "AWS/States",
      MetricName: "ExecutionsFailed",
      Statistic: "Sum",
      Dimensions: [stateMachine],
    });
    expectAlarm("CleanupTimedOut", alarmSettings.cleanupTimedOut, 1);
    expect(alarm("CleanupTimedOut")).toMatchObject({
      Namespace: "AWS/States",
      MetricName: "ExecutionsTimedOut",
      Dimensions: [stateMachine],
    });
  });

  it("watch the undeliverable notices, the business metric the notice delivery emits", () => {
    expectAlarm("NoticesUndeliverable", alarmSettings.noticesUndeliverable, 5);
    expect(alarm("NoticesUndeliverable")).toMatchObject({
      Namespace: "TradingCommunity",
      MetricName: "NoticesUndeliverable",
      Dimensions: [{ Name: "service", Value: "trading-community" }],
      Statistic: "Sum",
      Period: 3600,
    });
  });

  it("are exactly these: none without its runbook entry", () => {
    const { template } = deployed();
    const perFunction = watchedFunctions().length * 3;
    expect(resourcesOf(template, "AWS::CloudWatch::Alarm")).toHaveLength(2 + perFunction + 2 + 2 + 1);
  });
});

describe("tracing", () => {
  it("is Lambda's active tracing on every function (the X-Ray SDK is over the cold-start bar)", () => {
    const { template } = deployed();
    const functions = resourcesOf(template, "AWS::Lambda::Function");
    expect(functions.length).toBe(watchedFunctions().length);
    for (const [id, fn] of functions) expect(fn.Properties.TracingConfig, id).toEqual({ Mode: "Active" });
  });
});

describe("the alarm topic", () => {
  it("is encrypted with a rotating key CloudWatch may use, takes TLS only, and mails alarmEmail", () => {
    const { template, topicRef } = deployed();
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: alarmEmail,
      TopicArn: topicRef,
    });
    template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties("AWS::KMS::Key", {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Principal: { Service: "cloudwatch.amazonaws.com" },
          }),
        ]),
      },
    });
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
    expect(Object.keys(template.findOutputs("AlarmTopicArn"))).toEqual(["AlarmTopicArn"]);
  });

  it("has no subscriber without alarmEmail, and the synth says so", () => {
    const { stack } = buildApp();
    expect(resourcesOf(Template.fromStack(stack), "AWS::SNS::Subscription")).toEqual([]);
    Annotations.fromStack(stack).hasWarning("*", Match.stringLikeRegexp("No alarmEmail"));
  });

  it("refuses an alarmEmail that is not an address (fails closed)", () => {
    for (const address of ["ops", "ops@example", "", "ops@example.com, evil@example.com"]) {
      expect(() => buildTemplate({ alarmEmail: address })).toThrow(
        `alarmEmail must be an e-mail address such as ops@example.com, not "${address}"`,
      );
    }
  });
});

describe("the dashboard", () => {
  it("shows the alarms' states first and a widget per concern the runbook names", () => {
    const { template } = deployed();
    const dashboards = resourcesOf(template, "AWS::CloudWatch::Dashboard");
    expect(dashboards).toHaveLength(1);
    const [, dashboard] = dashboards[0]!;
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    const titles = [...body.matchAll(/\\"title\\":\\"([^\\]+)\\"/g)].map((match) => match[1]);
    expect(titles).toEqual([
      "Alarms",
      "API requests and errors",
      "API 5xx rate (%)",
      "API latency (ms)",
      "Lambda errors by function",
      "Lambda throttles by function",
      "Lambda max duration by function (ms)",
      "DynamoDB throttle events",
      "DynamoDB system errors",
      "DynamoDB consumed capacity",
      "Cleanup executions",
      "Notices before deletion",
      "Business events",
      "Conflicts retried and 503 answers",
    ]);
    expect(dashboard.Properties.DashboardName).toBe("TradingCommunityApi-operations");
  });
});
