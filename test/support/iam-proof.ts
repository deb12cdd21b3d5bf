// IAM proven offline: the roles of the synthesized stack, their policies resolved to concrete ARNs, and every
// recorded call (test/support/aws-calls.ts) evaluated against the role of the function that made it with an IAM
// policy simulator (@cloud-copilot/iam-simulate evaluates AWS's policy language as IAM does).
import { App, type CfnElement } from "aws-cdk-lib";
import type { IRole } from "aws-cdk-lib/aws-iam";
import { ApiStack } from "../../infra/stacks/api-stack";
import { type AwsCall, type AwsResource, type Principal, principalKey } from "../../infra/local/invocation-context";
import type { CleanupStepName } from "../../shared/use-cases/cleanup/runner";

import { decisionFor } from "./iam-simulation";
import { ACCOUNT, REGION, resolverFor } from "./template-values";

type Json = any;
interface Statement {
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: string | string[];
  Condition?: Json;
}

/**
 * The roles the proof covers and the ARNs of what they act on, as plain data (the test run's global setup makes it
 * once and hands it to every test file).
 */
export interface StackRoles {
  /** Each role's statements, by principal as the recorder names it (`PUT /users/{userId}/follow`...). */
  roles: Record<string, Statement[]>;
  arns: {
    table: string;
    stateMachine: string;
    steps: Record<CleanupStepName, string>;
    noticeSenderIdentity: string;
    userPool: string;
  };
}

/** A recorded call's resource as its ARN in the deployed stack. */
function arnOf({ arns }: StackRoles, resource: AwsResource): string {
  switch (resource.kind) {
    case "table":
      return resource.index ? `${arns.table}/index/${resource.index}` : arns.table;
    case "otherTable":
      return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${resource.name}`;
    case "cleanupStateMachine":
      return arns.stateMachine;
    case "cleanupStep":
      return arns.steps[resource.step];
    case "noticeSenderIdentity":
      return arns.noticeSenderIdentity;
    case "userPool":
      return arns.userPool;
  }
}

/**
 * Synthesizes the stack (without bundling) and answers every role of it that the proof covers: each route's
 * function, `$default`'s, each cleanup step's, the cleanup state machine's and the schedule's, with their policies
 * resolved from the template's Ref / Fn::GetAtt / Fn::Join to concrete ARNs.
 */
export function stackRoles(): StackRoles {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  // With a notice sender, as a deployment that sends notices before deletion has it.
  const stack = new ApiStack(app, "IamProof", { noticeSender: { address: NOTICE_SENDER_ADDRESS } });
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, Json> };
  const resources = template.Resources;
  const resolve = resolverFor(resources);
  const logicalId = (role: IRole) => stack.getLogicalId(role.node.defaultChild as CfnElement);

  const statementsOf = (roleId: string): Statement[] =>
    Object.values(resources)
      .filter(
        (resource) =>
          resource.Type === "AWS::IAM::Policy" && resource.Properties.Roles.some((role: Json) => role.Ref === roleId),
      )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Json[])
      .concat((resources[roleId].Properties.Policies ?? []).flatMap((policy: Json) => policy.PolicyDocument.Statement))
      .map((statement: Json) => ({ ...statement, Resource: [statement.Resource].flat().map(resolve) }));

  const roles: Record<string, Statement[]> = {};
  const add = (principal: Principal, roleId: string) => {
    roles[principalKey(principal)] = statementsOf(roleId);
  };
  for (const [routeKey, fn] of stack.routeFunctions) add({ kind: "route", routeKey, entry: "" }, logicalId(fn.role!));
  add({ kind: "fallback" }, logicalId(stack.fallbackFunction.role!));
  for (const [step, fn] of Object.entries(stack.cleanup.stepFunctions)) {
    add({ kind: "cleanupStep", step: step as CleanupStepName }, logicalId(fn.role!));
  }
  add({ kind: "cleanupStateMachine" }, logicalId(stack.cleanup.stateMachine.role));
  const schedule = Object.values(resources).find((resource) => resource.Type === "AWS::Scheduler::Schedule");
  add({ kind: "cleanupSchedule" }, schedule.Properties.Target.RoleArn["Fn::GetAtt"][0]);

  const arnOfConstruct = (construct: { node: { defaultChild?: unknown } }) =>
    resolve({ "Fn::GetAtt": [stack.getLogicalId(construct.node.defaultChild as CfnElement), "Arn"] });
  const steps = Object.fromEntries(
    Object.entries(stack.cleanup.stepFunctions).map(([step, fn]) => [step, arnOfConstruct(fn)]),
  ) as Record<CleanupStepName, string>;
  return {
    roles,
    arns: {
      table: arnOfConstruct(stack.data.table),
      stateMachine: resolve({ Ref: stack.getLogicalId(stack.cleanup.stateMachine.node.defaultChild as CfnElement) }),
      steps,
      noticeSenderIdentity: arnOfSesIdentity(
        resolve({ Ref: stack.getLogicalId(stack.noticeMail!.identity.node.defaultChild as CfnElement) }),
      ),
      userPool: arnOfConstruct(stack.identity.userPool),
    },
  };
}

/** The sender address the proof's stack sends notices from (the local host's delivery reports it as the From). */
const NOTICE_SENDER_ADDRESS = "notices@trading-community.test";

const arnOfSesIdentity = (name: string) => `arn:aws:ses:${REGION}:${ACCOUNT}:identity/${name}`;

async function allows(
  statements: Statement[],
  action: string,
  resource: string,
  context?: Record<string, string>,
): Promise<boolean> {
  return (
    (await decisionFor(
      { Version: "2012-10-17", Statement: statements },
      { action, resource, ...(context ? { context } : {}) },
    )) === "Allowed"
  );
}

/** The calls a role does not allow, as sentences naming the function, the action and the resource. */
export async function deniedCalls(stackRoles: StackRoles, calls: readonly AwsCall[]): Promise<string[]> {
  const denied: string[] = [];
  for (const call of calls) {
    const name = principalKey(call.principal);
    const statements = stackRoles.roles[name];
    // A test's own route (the local host's tests) has no function in the stack.
    if (!statements) continue;
    const resource = arnOf(stackRoles, call.resource);
    if (!(await allows(statements, call.action, resource, call.context))) {
      denied.push(`${name}: its role does not allow ${call.action} on ${resource}`);
    }
  }
  return denied;
}

/**
 * Grants used by the platform rather than by the code, which no recording can see: Lambda writing its function's
 * logs, Step Functions delivering its logs and traces. Anything else a role grants must be used by a call.
 */
const platformActions = /^(logs|xray):/;

/**
 * Grants no recorded call used: each (action, resource) a role allows that the simulator finds no recorded call
 * of that principal for. A Lambda invoke grant's `<function ARN>:*` (CDK adds the function's versions) counts as
 * used with the function itself.
 */
export async function unusedGrants(stackRoles: StackRoles, calls: readonly AwsCall[]): Promise<string[]> {
  const unused: string[] = [];
  for (const [principal, statements] of Object.entries(stackRoles.roles)) {
    const own = calls
      .filter((call) => principalKey(call.principal) === principal)
      .map((call) => ({ action: call.action, resource: arnOf(stackRoles, call.resource), context: call.context }));
    for (const statement of statements) {
      if (statement.Effect !== "Allow") continue;
      for (const action of [statement.Action].flat()) {
        if (platformActions.test(action)) continue;
        for (const resource of [statement.Resource].flat()) {
          const granted: Statement[] = [{ Effect: "Allow", Action: action, Resource: resource.replace(/:\*$/, "") }];
          const candidates = own.filter(
            (call) => call.action.toLowerCase() === action.toLowerCase() || action.includes("*"),
          );
          let used = false;
          const grantedWithConditions: Statement[] = [
            { ...granted[0]!, ...(statement.Condition ? { Condition: statement.Condition } : {}) },
          ];
          for (const call of candidates)
            if (!used && (await allows(grantedWithConditions, call.action, call.resource, call.context))) used = true;
          if (!used) unused.push(`${principal}: grants ${action} on ${resource}, which no recorded call used`);
        }
      }
    }
  }
  return unused;
}

/** The principals of the stack that never ran while recording. */
export function neverExercised(stackRoles: StackRoles, ran: readonly Principal[]): string[] {
  const seen = new Set(ran.map(principalKey));
  return Object.keys(stackRoles.roles)
    .filter((principal) => !seen.has(principal))
    .map((principal) => `${principal}: never exercised`);
}
