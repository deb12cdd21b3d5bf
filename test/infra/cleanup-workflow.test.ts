import aslValidator from "asl-validator";
import { describe, expect, it } from "vitest";
import { CLEANUP_MAP_CONCURRENCY, cleanupStepAccess, cleanupSteps } from "../../infra/constructs/cleanup-workflow";
import { resolverFor } from "../support/template-values";
import { buildTemplate, resourcesOf } from "./build-app";

const template = buildTemplate();
const [stateMachineId, stateMachine] = resourcesOf(template, "AWS::StepFunctions::StateMachine")[0]!;
const policies = resourcesOf(template, "AWS::IAM::Policy");
type Statement = { Action: string | string[]; Resource: unknown };
const statements = (policy: (typeof policies)[number][1]): Statement[] => policy.Properties.PolicyDocument.Statement;
const actions = (statement: Statement) => [statement.Action].flat();

/** The state machine's definition: a JSON string joined with the functions' ARNs (replaced by placeholders). */
function definition(): any {
  const parts = stateMachine.Properties.DefinitionString["Fn::Join"][1] as unknown[];
  return JSON.parse(parts.map((part) => (typeof part === "string" ? part : "ARN")).join(""));
}

/** Every state of the definition, nested ones (the Parallel's branch, the Map's processor) included. */
function allStates(states: Record<string, any>): [string, any][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, any],
    ...(state.Branches ?? []).flatMap((branch: any) => allStates(branch.States)),
    ...(state.ItemProcessor ? allStates(state.ItemProcessor.States) : []),
  ]);
}

describe("the cleanup workflow", () => {
  it("has a daily EventBridge Scheduler schedule that starts the state machine, and one that sweeps restores every minute", () => {
    const schedules = resourcesOf(template, "AWS::Scheduler::Schedule");
    expect(schedules).toHaveLength(2);
    expect(schedules.map(([, schedule]) => schedule.Properties)).toEqual([
      expect.objectContaining({
        ScheduleExpression: "cron(30 3 * * ? *)",
        State: "ENABLED",
        Target: expect.objectContaining({ Arn: { Ref: stateMachineId }, Input: "{}" }),
      }),
      expect.objectContaining({
        ScheduleExpression: "rate(1 minute)",
        State: "ENABLED",
        Target: expect.objectContaining({ Arn: { Ref: stateMachineId }, Input: '{"sweep":true}' }),
      }),
    ]);
  });

  it("sweeps restores without the runs' lease: a step that loops until every restore under way is done", () => {
    const states = Object.fromEntries(allStates(definition().States));
    expect(definition().StartAt).toBe("SweepOrRun");
    expect(states.SweepOrRun.Choices[0].Next).toBe("SweepRestores");
    expect(states.SweepOrRun.Default).toBe("BeginRun");
    expect(states.RestoresDone.Choices[0]).toMatchObject({ Variable: "$.sweep.done", BooleanEquals: true });
    expect(states.RestoresDone.Default).toBe("SweepRestores");
  });

  it("lets the schedules' one role start this state machine and do nothing else", () => {
    const [daily, sweep] = resourcesOf(template, "AWS::Scheduler::Schedule").map(
      ([, schedule]) => schedule.Properties.Target.RoleArn["Fn::GetAtt"][0] as string,
    );
    expect(sweep).toBe(daily);
    const roleId = daily!;
    const attached = policies.filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(roleId));
    expect(attached.flatMap(([, policy]) => statements(policy))).toEqual([
      { Action: "states:StartExecution", Effect: "Allow", Resource: { Ref: stateMachineId } },
    ]);
  });

  it("processes candidate batches in a Map state with bounded concurrency, looping each batch until done", () => {
    const states = allStates(definition().States);
    const maps = states.filter(([, state]) => state.Type === "Map");
    expect(maps).toHaveLength(1);
    const [, map] = maps[0]!;
    expect(map.MaxConcurrency).toBe(CLEANUP_MAP_CONCURRENCY);
    expect(CLEANUP_MAP_CONCURRENCY).toBe(10);
    expect(map.ItemsPath).toBe("$.page.batches");
    expect(map.ResultPath).toBeNull();
    expect(
      Object.values(map.ItemProcessor.States)
        .map((state: any) => state.Type)
        .sort(),
    ).toEqual(["Choice", "Succeed", "Task"]);
  });

  it("catches any failure, marks the run failed (releasing the lease) and fails the execution", () => {
    const states = Object.fromEntries(allStates(definition().States));
    expect(states.Run.Type).toBe("Parallel");
    expect(states.Run.Catch).toEqual([{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "FinishFailed" }]);
    expect(states.FinishFailed.Parameters).toEqual({ "run.$": "$.run", status: "failed" });
    expect(states.FinishFailed.Next).toBe("RunFailed");
    expect(states.FinishSucceeded.Parameters).toEqual({ "run.$": "$.run", status: "succeeded" });
    for (const [name, state] of Object.entries<any>(states)) {
      if (state.Type === "Task") expect(state.Retry.length, name).toBeGreaterThan(0);
    }
  });

  it("logs ALL events and traces with X-Ray (cdk-nag SF1, SF2)", () => {
    expect(stateMachine.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(stateMachine.Properties.LoggingConfiguration.Level).toBe("ALL");
  });

  it("runs each step as its own function with its own table grant and no Step Functions action", () => {
    const stepFunctions = resourcesOf(template, "AWS::Lambda::Function").filter(([id]) => id.startsWith("Cleanup"));
    expect(stepFunctions).toHaveLength(Object.keys(cleanupSteps).length);
    for (const [step, grant] of Object.entries(cleanupStepAccess)) {
      const stepName = step[0]!.toUpperCase() + step.slice(1);
      const [, fn] = stepFunctions.find(([id]) => id.startsWith(`Cleanup${stepName}Function`))!;
      const role = fn.Properties.Role["Fn::GetAtt"][0] as string;
      const granted = policies
        .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(role))
        .flatMap(([, policy]) => statements(policy).flatMap(actions));
      const expected = [...grant.table, ...Object.values(grant.indexes ?? {}).flat()].map(
        (action) => `dynamodb:${action}`,
      );
      expect(granted.filter((action) => action.startsWith("dynamodb:")).sort(), step).toEqual(expected.sort());
      expect(granted.filter((action) => action.startsWith("states:"))).toEqual([]);
    }
  });

  it("lets the admin routes (a run, an undo) start executions of this state machine, and no other function any Step Functions action", () => {
    for (const [id, policy] of policies) {
      const granted = statements(policy).filter((statement) =>
        actions(statement).some((action) => action.startsWith("states:")),
      );
      if (granted.length === 0) continue;
      if (id.startsWith("PostAdminCleanupRuns")) {
        expect(granted).toEqual([
          { Action: "states:StartExecution", Effect: "Allow", Resource: { Ref: stateMachineId } },
        ]);
      } else {
        expect(id).toMatch(/^CleanupSchedulerRole/);
      }
    }
  });

  it("has a definition that passes asl-validator, its function ARNs resolved as CloudFormation resolves them", () => {
    // What Step Functions checks at deploy time, checked offline: states, transitions, paths, ARNs.
    const resolve = resolverFor(template.toJSON().Resources);
    const validation = aslValidator(JSON.parse(resolve(stateMachine.Properties.DefinitionString)));
    expect(validation.errorsText("\n"), "asl-validator's findings").toBe("");
    expect(validation.isValid).toBe(true);
  });
});
