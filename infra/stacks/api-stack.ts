import { Annotations, CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import type { ThrottleSettings } from "aws-cdk-lib/aws-apigatewayv2";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";
import { corsSettings } from "../cors";
import { CLEANUP_STEP_TIMEOUT_SECONDS } from "../../functions/scheduled/cleanup-steps";
import { CleanupWorkflow } from "../constructs/cleanup-workflow";
import { CursorSecret } from "../constructs/cursor-secret";
import { DataTable } from "../constructs/data-table";
import { HandlerFunction } from "../constructs/handler-function";
import { Identity } from "../constructs/identity";
import { NoticeMail, type NoticeSender } from "../constructs/notice-mail";
import { OperationsMonitoring, type WatchedFunction } from "../constructs/operations-monitoring";
import { RoutedApi } from "../constructs/routed-api";
import type { RouteDefinition } from "../../shared/api/route";
import {
  DEFAULT_TIMEOUT_SECONDS,
  fallbackRoute,
  MAX_ROUTE_TIMEOUT_SECONDS,
  routeName,
  routes as routeTable,
  timeoutSecondsOf,
} from "../routes";

export interface ApiStackProps extends StackProps {
  /** The routes to deploy; every route (infra/routes.ts) unless a test narrows it. */
  readonly routes?: readonly RouteDefinition[];
  /** Stage-wide throttling: steady requests per second and burst, across all callers. */
  readonly throttle?: Required<ThrottleSettings>;
  /** Pins CURSOR_SECRET to one version of its secret; see CursorSecret. */
  readonly cursorSecretVersionId?: string;
  /** Lets operators get tokens from the AWS CLI; see Identity. */
  readonly operatorPasswordAuth?: boolean;
  /** The browser origins allowed to call the API (CORS_ALLOWED_ORIGINS, parsed by infra/cors.ts); none: no CORS. */
  readonly corsAllowedOrigins?: readonly string[];
  /** Who notices before deletion come from; see NoticeMail. Without it, no SES identity is declared. */
  readonly noticeSender?: NoticeSender;
  /**
   * The platform's own pages a notice links to (contract 1.2): its sign-in page (none: no link), and where people
   * download their data (default: the API's own `GET /me/export`). Checked by the step's configuration at cold start.
   */
  readonly noticeLinks?: { signInUrl?: string; exportUrl?: string };
  /** Who the alarms mail (`-c alarmEmail=...`); see OperationsMonitoring. Without it, the alarm topic has no subscriber. */
  readonly alarmEmail?: string;
}

// Well above what this community's traffic needs and far below the account's 10,000 rps, so that a flood or
// a runaway client costs little and cannot starve other APIs in the account. Tune per deployment.
export const defaultThrottle: Required<ThrottleSettings> = { rateLimit: 100, burstLimit: 200 };

/** Everything the API needs in AWS: table, user pool, one function per route, the HTTP API. */
export class ApiStack extends Stack {
  readonly data: DataTable;
  readonly identity: Identity;
  readonly api: RoutedApi;
  readonly cleanup: CleanupWorkflow;
  /** Each route's function, by route key (`GET /me`), and the `$default` route's. */
  readonly routeFunctions = new Map<string, IFunction>();
  readonly fallbackFunction: IFunction;
  readonly noticeMail?: NoticeMail;
  readonly monitoring: OperationsMonitoring;

  constructor(scope: Construct, id: string, props: ApiStackProps = {}) {
    super(scope, id, props);
    this.data = new DataTable(this, "Data");
    this.identity = new Identity(this, "Identity", { operatorPasswordAuth: props.operatorPasswordAuth ?? false });
    if (props.noticeSender) {
      this.noticeMail = new NoticeMail(this, "NoticeMail", {
        sender: props.noticeSender,
        userPool: this.identity.userPool,
      });
    } else {
      Annotations.of(this).addWarningV2(
        "trading:noticeSender",
        "No noticeSender (-c noticeSender=notices@example.com): no SES identity to send notices before deletion from, " +
          "so the cleanup's batch step refuses to start (fails closed) while DELETION_NOTICE_LEADS asks for notices.",
      );
    }
    const cursorSecret = new CursorSecret(this, "CursorSecret", { versionId: props.cursorSecretVersionId });

    // What shared/config.ts requires of every function, except TABLE_NAME: DataTable sets that with the grant.
    // COMMENT_RATE_PER_MINUTE and INACTIVE_AFTER_DAYS keep the defaults shared/config.ts gives them.
    const environment = {
      TOKEN_VERIFIER: "cognito",
      COGNITO_USER_POOL_ID: this.identity.userPool.userPoolId,
      COGNITO_CLIENT_ID: this.identity.client.userPoolClientId,
      CURSOR_SECRET: cursorSecret.environmentValue,
      LOG_LEVEL: "info",
    };

    // The daily cleanup of inactive accounts: schedule, state machine and its step functions.
    this.cleanup = new CleanupWorkflow(this, "Cleanup", { data: this.data, environment });

    const watched: WatchedFunction[] = [];
    const routed = (props.routes ?? routeTable).map((route) => {
      const timeoutSeconds = timeoutSecondsOf(route);
      if (timeoutSeconds > MAX_ROUTE_TIMEOUT_SECONDS) {
        throw new Error(
          `${route.method} ${route.path}: a timeout of ${timeoutSeconds} s outlasts API Gateway's integration timeout`,
        );
      }
      const { fn } = new HandlerFunction(this, routeName(route), {
        entry: route.entry,
        environment,
        timeoutSeconds,
        gzippedFiles: route.gzippedFiles,
        readsApiDescription: route.readsApiDescription,
      });
      this.data.connect(fn, { table: route.tableAccess });
      if (route.startsCleanup) {
        // The route hands runs to the state machine: StartExecution on it, and nothing else of Step Functions.
        fn.addEnvironment("CLEANUP_RUNNER", "step-functions");
        fn.addEnvironment("CLEANUP_STATE_MACHINE_ARN", this.cleanup.stateMachine.stateMachineArn);
        this.cleanup.grantStart(fn);
      }
      this.routeFunctions.set(`${route.method} ${route.path}`, fn);
      watched.push({ name: routeName(route), fn, timeoutSeconds });
      return { route, fn };
    });
    const fallback = new HandlerFunction(this, "RouteNotFound", { ...fallbackRoute, environment }).fn;
    this.data.nameOnly(fallback);
    this.fallbackFunction = fallback;
    watched.push({ name: "RouteNotFound", fn: fallback, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS });
    for (const [step, fn] of Object.entries(this.cleanup.stepFunctions)) {
      watched.push({
        name: `Cleanup${step[0]!.toUpperCase()}${step.slice(1)}`,
        fn,
        timeoutSeconds: CLEANUP_STEP_TIMEOUT_SECONDS,
      });
    }

    const deployedRoutes = props.routes ?? routeTable;
    const origins = props.corsAllowedOrigins ?? [];
    this.api = new RoutedApi(this, "Http", {
      routes: routed,
      cors: origins.length > 0 ? corsSettings(origins, deployedRoutes) : null,
      fallback,
      jwtIssuer: this.identity.issuerUrl,
      jwtAudience: [this.identity.client.userPoolClientId],
      throttle: props.throttle ?? defaultThrottle,
    });
    // The batch step records and delivers the notices before deletion (shared/use-cases/notices.ts): it alone may
    // send them, and the export link they name is this API's GET /me/export.
    this.noticeMail?.grantSendNotices(
      this.cleanup.stepFunctions.processBatch,
      props.noticeLinks?.exportUrl ?? `${this.api.api.apiEndpoint}/me/export`,
      props.noticeLinks?.signInUrl,
    );

    this.monitoring = new OperationsMonitoring(this, "Monitoring", {
      api: this.api.api,
      functions: watched,
      table: this.data.table,
      cleanup: this.cleanup.stateMachine,
      ...(props.alarmEmail !== undefined ? { alarmEmail: props.alarmEmail } : {}),
    });

    new CfnOutput(this, "ApiUrl", { value: this.api.stage.url, description: "Base URL of the HTTP API." });
    new CfnOutput(this, "UserPoolId", { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, "UserPoolClientId", { value: this.identity.client.userPoolClientId });
    new CfnOutput(this, "TableName", { value: this.data.table.tableName });
    new CfnOutput(this, "CleanupStateMachineArn", { value: this.cleanup.stateMachine.stateMachineArn });
    new CfnOutput(this, "AlarmTopicArn", {
      value: this.monitoring.topic.topicArn,
      description: "SNS topic every alarm notifies.",
    });
    new CfnOutput(this, "DashboardName", {
      value: this.monitoring.dashboard.dashboardName,
      description: "CloudWatch dashboard of the API.",
    });
  }
}
