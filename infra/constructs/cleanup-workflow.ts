import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { Role, ServicePrincipal, type IGrantable } from "aws-cdk-lib/aws-iam";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Schedule, ScheduleExpression, ScheduleTargetInput } from "aws-cdk-lib/aws-scheduler";
import { StepFunctionsStartExecution } from "aws-cdk-lib/aws-scheduler-targets";
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  JsonPath,
  LogLevel,
  Map as MapState,
  Parallel,
  Pass,
  Result,
  StateMachine,
  Succeed,
  TaskInput,
} from "aws-cdk-lib/aws-stepfunctions";
import { LambdaInvoke } from "aws-cdk-lib/aws-stepfunctions-tasks";
import type { CfnFunction, Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { CLEANUP_STEP_TIMEOUT_SECONDS } from "../../functions/scheduled/cleanup-steps";
import type { CleanupStepName } from "../../shared/use-cases/cleanup/runner";
import type { DataTable, TableGrant } from "./data-table";
import { HandlerFunction } from "./handler-function";

/** The step handlers of a cleanup run (functions/scheduled), each a function of its own. */
export const cleanupSteps: Readonly<Record<CleanupStepName, string>> = {
  begin: "functions/scheduled/cleanup-begin.ts",
  findCandidates: "functions/scheduled/cleanup-find-candidates.ts",
  processBatch: "functions/scheduled/cleanup-process-batch.ts",
  recount: "functions/scheduled/cleanup-recount.ts",
  finish: "functions/scheduled/cleanup-finish.ts",
  restoreSweep: "functions/scheduled/restore-sweep.ts",
};

/**
 * Each step's grant: exactly the DynamoDB actions its code calls (proven both ways by test/integration/iam.test.ts).
 * Only the search for candidates reads an index: the sparse inactivity index.
 */
export const cleanupStepAccess: Readonly<Record<CleanupStepName, TableGrant>> = {
  begin: { table: ["GetItem", "Query", "PutItem"] },
  findCandidates: { table: ["Query", "UpdateItem"], indexes: { inactivity: ["Query"] } },
  // Notices, outlook syncs, deactivations, purges and an undo's restores: transactions that check items too; a
  // batch's candidates read together (BatchGetItem).
  processBatch: {
    table: [
      "GetItem",
      "BatchGetItem",
      "Query",
      "PutItem",
      "UpdateItem",
      "DeleteItem",
      "BatchWriteItem",
      "ConditionCheckItem",
    ],
  },
  recount: { table: ["GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem"] },
  finish: { table: ["Query", "UpdateItem", "DeleteItem"] },
  // Restores under way: the same writes as a sign-in's restore (shared/use-cases/cleanup/restore.ts).
  restoreSweep: { table: ["GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem"] },
};

/** Map items (batches of ≤ 20 candidates) processed at once: bounded, so the table and Lambda see a steady load. */
export const CLEANUP_MAP_CONCURRENCY = 10;
/** Every day at 03:30 UTC, when the community is quietest. */
const cleanupSchedule = { minute: "30", hour: "3" } as const;
/**
 * How often the restore sweep starts (contract 1.2: a large restore goes on after the sign-in that began it): a
 * minute, so `Me.restoring` lasts about a minute beyond the work itself. An execution that finds nothing costs
 * three state transitions and one Query.
 */
const restoreSweepRate = Duration.minutes(1);

export interface CleanupWorkflowProps {
  readonly data: DataTable;
  /** The configuration every function needs (as the routes get it). */
  readonly environment: Record<string, string>;
}

/**
 * The cleanup of inactive accounts in AWS: an EventBridge Scheduler schedule starts, every day, a Step Functions
 * state machine that runs the steps of shared/use-cases/cleanup.ts as Lambda functions:
 *
 *   Begin ─(no run: another holds the lease)─▶ done
 *     └▶ Run [ FindCandidates ─▶ Map over batches (≤ 10 at once: ProcessBatch, looping while candidates remain)
 *              ─▶ (more pages? FindCandidates again) ─▶ Recount (looping until done) ─▶ Finish(succeeded) ]
 *        Catch (any error after retries) ─▶ Finish(failed) ─▶ Fail
 *   (every minute, `{"sweep": true}`) RestoreSweep (looping until every restore under way is done) ─▶ done
 *
 * An undo of a run (`POST /admin/cleanup-runs/{runId}/restore`) is the same chain with the undo's ticket: its search
 * lists the run's deactivated accounts, its batches restore them, its recount writes the undo's history points.
 * Every step is idempotent and bounded (a step works at most 2 minutes of its 5-minute timeout, and state
 * carries at most a page of 200 user IDs), so retries are safe and nothing nears Lambda's or Step Functions'
 * limits. The admin route starts the same state machine (startExecution grants exactly that).
 */
export class CleanupWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly schedule: Schedule;
  readonly sweepSchedule: Schedule;
  readonly functions: LambdaFunction[] = [];
  /** Each step's function, by the step's name (the IAM proof maps the local host's steps onto them). */
  readonly stepFunctions = {} as Record<CleanupStepName, LambdaFunction>;

  constructor(scope: Construct, id: string, props: CleanupWorkflowProps) {
    super(scope, id);
    const step = (name: string, stepName: CleanupStepName) => {
      const { fn } = new HandlerFunction(this, name, {
        entry: cleanupSteps[stepName],
        environment: props.environment,
        timeoutSeconds: CLEANUP_STEP_TIMEOUT_SECONDS,
      });
      props.data.connect(fn, cleanupStepAccess[stepName]);
      this.functions.push(fn);
      this.stepFunctions[stepName] = fn;
      return fn;
    };
    const invoke = (
      name: string,
      fn: LambdaFunction,
      payload: Record<string, unknown>,
      options: { resultPath?: string } = {},
    ) => {
      const task = new LambdaInvoke(this, name, {
        lambdaFunction: fn,
        payload: TaskInput.fromObject(payload),
        payloadResponseOnly: true,
        ...(options.resultPath !== undefined ? { resultPath: options.resultPath } : {}),
      });
      // Steps are idempotent: a crashed or throttled invocation is simply run again.
      task.addRetry({ errors: ["States.ALL"], maxAttempts: 3, interval: Duration.seconds(5), backoffRate: 2 });
      return task;
    };

    const beginFn = step("Begin", "begin");
    const findFn = step("FindCandidates", "findCandidates");
    const processFn = step("ProcessBatch", "processBatch");
    const recountFn = step("Recount", "recount");
    const finishFn = step("Finish", "finish");
    const sweepFn = step("RestoreSweep", "restoreSweep");

    const begin = new LambdaInvoke(this, "BeginRun", {
      lambdaFunction: beginFn,
      payload: TaskInput.fromJsonPathAt("$"),
      payloadResponseOnly: true,
    });
    begin.addRetry({ errors: ["States.ALL"], maxAttempts: 3, interval: Duration.seconds(5), backoffRate: 2 });

    const find = invoke(
      "FindCandidatesPage",
      findFn,
      { "run.$": "$.run", "cursor.$": "$.search.cursor" },
      { resultPath: "$.page" },
    );
    const processBatch = invoke("ProcessCandidateBatch", processFn, { "run.$": "$.run", "userIds.$": "$.userIds" });
    const batchLoop = new Choice(this, "CandidatesLeft")
      .when(Condition.isPresent("$.userIds[0]"), processBatch)
      .otherwise(new Succeed(this, "BatchDone"));
    const processPage = new MapState(this, "ProcessPage", {
      itemsPath: "$.page.batches",
      maxConcurrency: CLEANUP_MAP_CONCURRENCY,
      itemSelector: { "run.$": "$.run", "userIds.$": "$$.Map.Item.Value" },
      // The items' results are not needed: drop them, so the state stays small.
      resultPath: JsonPath.DISCARD,
    });
    processPage.itemProcessor(processBatch.next(batchLoop));

    const recount = invoke("RecountTouched", recountFn, { "run.$": "$.run" }, { resultPath: "$.recount" });
    const succeed = invoke(
      "FinishSucceeded",
      finishFn,
      { "run.$": "$.run", status: "succeeded" },
      { resultPath: JsonPath.DISCARD },
    );
    const nextPage = new Pass(this, "NextPage", {
      parameters: { "cursor.$": "$.page.cursor" },
      resultPath: "$.search",
    });
    const morePages = new Choice(this, "MorePages")
      .when(Condition.isNull("$.page.cursor"), recount)
      .otherwise(nextPage.next(find));
    recount.next(
      new Choice(this, "RecountDone").when(Condition.booleanEquals("$.recount.done", true), succeed).otherwise(recount),
    );
    const work = new Parallel(this, "Run", { resultPath: JsonPath.DISCARD });
    work.branch(find.next(processPage).next(morePages));

    const markFailed = invoke(
      "FinishFailed",
      finishFn,
      { "run.$": "$.run", status: "failed" },
      { resultPath: JsonPath.DISCARD },
    );
    work.addCatch(markFailed.next(new Fail(this, "RunFailed", { error: "CleanupRunFailed" })), {
      resultPath: "$.error",
    });

    const runDefinition = begin.next(
      new Choice(this, "RunBegun")
        .when(Condition.isNull("$.run"), new Succeed(this, "AnotherRunHoldsTheLease"))
        .otherwise(
          new Pass(this, "StartSearch", { result: Result.fromObject({ cursor: null }), resultPath: "$.search" }).next(
            work,
          ),
        ),
    );
    // The restore sweep needs no lease: restores are concurrent with runs and with each other by design.
    const sweep = invoke("SweepRestores", sweepFn, {}, { resultPath: "$.sweep" });
    sweep.next(
      new Choice(this, "RestoresDone")
        .when(Condition.booleanEquals("$.sweep.done", true), new Succeed(this, "NoRestoreLeft"))
        .otherwise(sweep),
    );
    const definition = new Choice(this, "SweepOrRun")
      .when(Condition.and(Condition.isPresent("$.sweep"), Condition.booleanEquals("$.sweep", true)), sweep)
      .otherwise(runDefinition);

    const logs = new LogGroup(this, "Logs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, "StateMachine", {
      definitionBody: DefinitionBody.fromChainable(definition),
      // Far above a day's run over millions of accounts at 10 batches at once; the lease is renewed by every step.
      timeout: Duration.hours(12),
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
    });

    // One role starts both (the daily run and the minute's sweep): it may start this state machine, nothing else.
    const schedulerRole = new Role(this, "SchedulerRole", {
      assumedBy: new ServicePrincipal("scheduler.amazonaws.com"),
    });
    this.schedule = new Schedule(this, "Daily", {
      description: "Starts the daily cleanup of inactive accounts (default cutoff: INACTIVE_AFTER_DAYS).",
      schedule: ScheduleExpression.cron(cleanupSchedule),
      target: new StepFunctionsStartExecution(this.stateMachine, {
        input: ScheduleTargetInput.fromObject({}),
        role: schedulerRole,
      }),
    });
    this.sweepSchedule = new Schedule(this, "EveryMinuteRestoreSweep", {
      description: "Starts the restore sweep: restores of deactivated accounts that a sign-in could not finish.",
      schedule: ScheduleExpression.rate(restoreSweepRate),
      target: new StepFunctionsStartExecution(this.stateMachine, {
        input: ScheduleTargetInput.fromObject({ sweep: true }),
        role: schedulerRole,
      }),
    });

    // Granted by CDK to the state machine's role, each finding acknowledged by itself: invoking a step function
    // includes its versions (`<function ARN>:*`, one finding per function), and the X-Ray and CloudWatch Logs
    // delivery actions support no resource but `*`. No action is a wildcard.
    const stack = Stack.of(this);
    const invokeFindings = this.functions.map((fn) => ({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason: `The state machine invokes ${fn.node.scope?.node.id ?? "a step"} (and may invoke its versions): CDK's grant for a Lambda task.`,
    }));
    Validations.of(this.stateMachine).acknowledge(...invokeFindings, {
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and " +
        "Step Functions' log delivery (logs:CreateLogDelivery and the other *LogDelivery actions, " +
        "DescribeResourcePolicies, DescribeLogGroups) support no resource-level permission: `*` is the only resource.",
    });
  }

  /** Lets a function start executions of this state machine, nothing else (the admin route). */
  grantStart(grantee: IGrantable): void {
    this.stateMachine.grantStartExecution(grantee);
  }
}
