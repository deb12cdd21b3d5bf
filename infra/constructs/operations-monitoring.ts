import { Annotations, Duration, Stack } from "aws-cdk-lib";
import type { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Operation, type TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import {
  type BusinessMetric,
  businessMetrics,
  METRICS_NAMESPACE,
  SERVICE_NAME,
} from "../../shared/observability-names";
import { isEmailAddress } from "./notice-mail";

/** A function to watch, and its timeout (infra/routes.ts `timeoutSecondsOf`, or the cleanup steps' own). */
export interface WatchedFunction {
  /** Its construct ID in the stack, e.g. `PostPosts`, `CleanupProcessBatch`: part of its alarms' names. */
  readonly name: string;
  readonly fn: IFunction;
  readonly timeoutSeconds: number;
}

export interface OperationsMonitoringProps {
  readonly api: HttpApi;
  readonly functions: readonly WatchedFunction[];
  readonly table: TableV2;
  readonly cleanup: StateMachine;
  /** Where alarm notifications go (deploy setting `-c alarmEmail=...`); none: the topic has no subscriber yet. */
  readonly alarmEmail?: string;
}

/**
 * Every alarm's settings, in one place: docs/deploy.md ("Runbook") explains each, test/infra/monitoring.test.ts
 * asserts them. Periods in seconds; an alarm fires when `datapoints` of the last `evaluationPeriods` periods breach.
 */
export const alarmSettings = {
  /** 5xx answers as a percentage of requests, once at least `minimumRequests` came in the period. */
  apiServerErrorRate: {
    thresholdPercent: 1,
    minimumRequests: 20,
    periodSeconds: 300,
    evaluationPeriods: 2,
    datapoints: 2,
  },
  /** API Gateway's p99 latency (its integration included), in milliseconds. */
  apiLatencyP99: { thresholdMs: 2_000, periodSeconds: 300, evaluationPeriods: 3, datapoints: 3 },
  /** Invocations that crashed, timed out or failed to load (the handlers answer their own errors). */
  functionErrors: { threshold: 1, periodSeconds: 300, evaluationPeriods: 1, datapoints: 1 },
  functionThrottles: { threshold: 1, periodSeconds: 300, evaluationPeriods: 1, datapoints: 1 },
  /** The longest invocation, as a share of the function's timeout. */
  functionDurationNearTimeout: { shareOfTimeout: 0.8, periodSeconds: 300, evaluationPeriods: 1, datapoints: 1 },
  /** Read and write throttle events of the table and its index together. */
  tableThrottles: { threshold: 10, periodSeconds: 300, evaluationPeriods: 1, datapoints: 1 },
  /** DynamoDB's own 500s, over every operation the functions call. */
  tableSystemErrors: { threshold: 5, periodSeconds: 300, evaluationPeriods: 1, datapoints: 1 },
  cleanupFailed: { threshold: 1, periodSeconds: 300, evaluationPeriods: 1, datapoints: 1 },
  cleanupTimedOut: { threshold: 1, periodSeconds: 300, evaluationPeriods: 1, datapoints: 1 },
  /** Notices recorded `undeliverable` (business metric NoticesUndeliverable) in an hour. */
  noticesUndeliverable: { threshold: 5, periodSeconds: 3_600, evaluationPeriods: 1, datapoints: 1 },
} as const;

/** The DynamoDB operations the functions call (infra/routes.ts, cleanupStepAccess): their system errors count. */
const tableOperations = [
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.BATCH_WRITE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
];

/** A business metric as CloudWatch gets it from the functions' EMF lines: the namespace, the `service` dimension. */
function businessMetric(name: BusinessMetric, period = Duration.minutes(5)): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: SERVICE_NAME },
    statistic: Stats.SUM,
    period,
  });
}

/**
 * The operators' eyes: alarms on what AWS's serverless guidance names for API Gateway, Lambda, DynamoDB and Step
 * Functions, plus the undeliverable notices; each notifies one SNS topic (encrypted, TLS only) that mails
 * `alarmEmail`; and one dashboard with a widget per concern, the alarms' states on top.
 */
export class OperationsMonitoring extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsMonitoringProps) {
    super(scope, id);
    if (props.alarmEmail !== undefined && !isEmailAddress(props.alarmEmail)) {
      throw new Error(`alarmEmail must be an e-mail address such as ops@example.com, not "${props.alarmEmail}"`);
    }
    // CloudWatch publishes to an encrypted topic only with a customer managed key whose policy lets it.
    const key = new Key(this, "AlarmTopicKey", {
      enableKeyRotation: true,
      description: "Encrypts the alarm topic's messages.",
    });
    key.grant(new ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*");
    this.topic = new Topic(this, "AlarmTopic", {
      masterKey: key,
      enforceSSL: true,
      displayName: "Trading community alarms",
    });
    if (props.alarmEmail) {
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    } else {
      Annotations.of(this).addWarningV2(
        "trading:alarmEmail",
        "No alarmEmail (-c alarmEmail=ops@example.com): alarms notify a topic nobody is subscribed to.",
      );
    }
    const action = new SnsAction(this.topic);
    const stackName = Stack.of(this).stackName;
    const alarm = (
      id: string,
      description: string,
      metric: IMetric,
      settings: { evaluationPeriods: number; datapoints: number },
      threshold: number,
    ) => {
      const created = new Alarm(this, id, {
        alarmName: `${stackName}-${id}`,
        alarmDescription: `${description} Runbook: docs/deploy.md, "Alarms and what to do".`,
        metric,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: settings.evaluationPeriods,
        datapointsToAlarm: settings.datapoints,
        // No traffic, no invocation, no run: nothing is wrong.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };
    const period = (seconds: number) => Duration.seconds(seconds);

    const { api } = props;
    const errorRate = alarmSettings.apiServerErrorRate;
    const apiErrors = api.metricServerError({ statistic: Stats.SUM, period: period(errorRate.periodSeconds) });
    const apiRequests = api.metricCount({ statistic: Stats.SUM, period: period(errorRate.periodSeconds) });
    const apiErrorRate = new MathExpression({
      expression: `IF(requests >= ${errorRate.minimumRequests}, 100 * errors / requests, 0)`,
      usingMetrics: { errors: apiErrors, requests: apiRequests },
      period: period(errorRate.periodSeconds),
      label: "5xx % of requests",
    });
    alarm(
      "ApiServerErrorRate",
      "The API answers 5xx to more than 1% of requests.",
      apiErrorRate,
      errorRate,
      errorRate.thresholdPercent,
    );
    const latency = alarmSettings.apiLatencyP99;
    const apiLatencyP99 = api.metricLatency({ statistic: Stats.p(99), period: period(latency.periodSeconds) });
    alarm("ApiLatencyP99", "The API's p99 latency is above 2 s.", apiLatencyP99, latency, latency.thresholdMs);

    for (const { name, fn, timeoutSeconds } of props.functions) {
      const errors = alarmSettings.functionErrors;
      alarm(
        `${name}-Errors`,
        `${name} crashed, timed out or failed to load.`,
        fn.metricErrors({ period: period(errors.periodSeconds) }),
        errors,
        errors.threshold,
      );
      const throttles = alarmSettings.functionThrottles;
      alarm(
        `${name}-Throttles`,
        `Lambda throttled ${name}.`,
        fn.metricThrottles({ period: period(throttles.periodSeconds) }),
        throttles,
        throttles.threshold,
      );
      const duration = alarmSettings.functionDurationNearTimeout;
      alarm(
        `${name}-DurationNearTimeout`,
        `An invocation of ${name} ran for over 80% of its ${timeoutSeconds} s timeout.`,
        fn.metricDuration({ statistic: Stats.MAXIMUM, period: period(duration.periodSeconds) }),
        duration,
        Math.round(timeoutSeconds * 1000 * duration.shareOfTimeout),
      );
    }

    const table = props.table;
    const throttled = alarmSettings.tableThrottles;
    const tableThrottles = new MathExpression({
      expression: "reads + writes",
      usingMetrics: {
        reads: table.metric("ReadThrottleEvents", { statistic: Stats.SUM, period: period(throttled.periodSeconds) }),
        writes: table.metric("WriteThrottleEvents", { statistic: Stats.SUM, period: period(throttled.periodSeconds) }),
      },
      period: period(throttled.periodSeconds),
      label: "throttle events",
    });
    alarm(
      "TableThrottles",
      "DynamoDB throttled reads or writes of the table.",
      tableThrottles,
      throttled,
      throttled.threshold,
    );
    const systemErrors = alarmSettings.tableSystemErrors;
    const tableSystemErrors = table.metricSystemErrorsForOperations({
      operations: tableOperations,
      period: period(systemErrors.periodSeconds),
    });
    alarm(
      "TableSystemErrors",
      "DynamoDB answered requests with its own 500 errors.",
      tableSystemErrors,
      systemErrors,
      systemErrors.threshold,
    );

    const failed = alarmSettings.cleanupFailed;
    alarm(
      "CleanupFailed",
      "A cleanup run's execution failed.",
      props.cleanup.metricFailed({ period: period(failed.periodSeconds) }),
      failed,
      failed.threshold,
    );
    const timedOut = alarmSettings.cleanupTimedOut;
    alarm(
      "CleanupTimedOut",
      "A cleanup run's execution timed out.",
      props.cleanup.metricTimedOut({ period: period(timedOut.periodSeconds) }),
      timedOut,
      timedOut.threshold,
    );
    const undeliverable = alarmSettings.noticesUndeliverable;
    alarm(
      "NoticesUndeliverable",
      "Notices before deletion could not be delivered.",
      businessMetric("NoticesUndeliverable", period(undeliverable.periodSeconds)),
      undeliverable,
      undeliverable.threshold,
    );

    this.dashboard = new Dashboard(this, "Dashboard", {
      dashboardName: `${stackName}-operations`,
      defaultInterval: Duration.hours(6),
    });
    const graph = (title: string, left: IMetric[], width = 8) => new GraphWidget({ title, left, width, height: 6 });
    const perFunction = (metricOf: (fn: IFunction) => Metric) =>
      props.functions.map(({ name, fn }) => metricOf(fn).with({ label: name }));
    const business = (names: BusinessMetric[]) =>
      names.map((name) => businessMetric(name).with({ label: businessMetrics[name] }));
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: "Alarms", alarms: this.alarms, width: 24, height: 6 }));
    this.dashboard.addWidgets(
      graph("API requests and errors", [
        apiRequests.with({ label: "requests" }),
        api.metricClientError({ statistic: Stats.SUM, label: "4xx" }),
        apiErrors.with({ label: "5xx" }),
      ]),
      graph("API 5xx rate (%)", [apiErrorRate]),
      graph("API latency (ms)", [
        api.metricLatency({ statistic: Stats.p(50), label: "p50" }),
        apiLatencyP99.with({ label: "p99" }),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        "Lambda errors by function",
        perFunction((fn) => fn.metricErrors({ statistic: Stats.SUM })),
      ),
      graph(
        "Lambda throttles by function",
        perFunction((fn) => fn.metricThrottles({ statistic: Stats.SUM })),
      ),
      graph(
        "Lambda max duration by function (ms)",
        perFunction((fn) => fn.metricDuration({ statistic: Stats.MAXIMUM })),
      ),
    );
    this.dashboard.addWidgets(
      graph("DynamoDB throttle events", [tableThrottles]),
      graph("DynamoDB system errors", [tableSystemErrors]),
      graph("DynamoDB consumed capacity", [
        table.metricConsumedReadCapacityUnits({ label: "read units" }),
        table.metricConsumedWriteCapacityUnits({ label: "write units" }),
      ]),
    );
    const cleanup = props.cleanup;
    this.dashboard.addWidgets(
      graph("Cleanup executions", [
        cleanup.metricStarted({ label: "started" }),
        cleanup.metricSucceeded({ label: "succeeded" }),
        cleanup.metricFailed({ label: "failed" }),
        cleanup.metricTimedOut({ label: "timed out" }),
      ]),
      graph(
        "Notices before deletion",
        business([
          "NoticesSent",
          "NoticesUndeliverable",
          "AccountsDeleted",
          "AccountsDeactivated",
          "AccountsRestored",
          "AccountsPurged",
        ]),
      ),
      graph("Business events", business(["PostsPublished", "CommentsWritten", "FollowsStarted", "FollowsEnded"])),
    );
    this.dashboard.addWidgets(
      graph("Conflicts retried and 503 answers", business(["ConflictsRetried", "ServiceUnavailable"]), 24),
    );
  }
}
