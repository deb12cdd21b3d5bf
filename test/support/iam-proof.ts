// IAM proven offline: the roles of the synthesized stack, their policies resolved to concrete ARNs, and every
// recorded call (test/support/aws-calls.ts) evaluated against the role of the function that made it with an IAM
// policy simulator (@cloud-copilot/iam-simulate evaluates AWS's policy language as IAM does).
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { App } from "aws-cdk-lib";
import type { IRole } from "aws-cdk-lib/aws-iam";
import { ApiStack } from "../../infra/stacks/api-stack";
import type { AwsCall, AwsResource, Principal } from "../../infra/local/invocation-context";
import { principalKey } from "./aws-calls";

import { ACCOUNT, REGION, resolverFor } from "./template-values";

type Json = any;
interface Statement {
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: string | string[];
  Condition?: Json;
}

export interface Role {
  /** The principal, as the recorder names it (`PUT /users/{userId}/follow`, `cleanup step begin`...). */
  principal: string;
  statements: Statement[];
}

export interface StackRoles {
  roles: Map<string, Role>;
  /** A recorded call's resource as its ARN in the deployed stack. */
  arnOf(resource: AwsResource): string;
}

/**
 * Synthesizes the stack (without bundling) and answers every role of it that the proof covers: each route's
 * function, `$default`'s, each cleanup step's, the cleanup state machine's and the schedule's, with their policies
 * resolved from the template's Ref / Fn::GetAtt / Fn::Join to concrete ARNs.
 */
export function stackRoles(): StackRoles {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  const stack = new ApiStack(app, "IamProof");
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, Json> };
  const resources = template.Resources;
  const resolve = resolverFor(resources);
  const logicalId = (construct: IRole) => stack.getLogicalId(construct.node.defaultChild as never);

  const statementsOf = (roleId: string): Statement[] =>
    Object.values(resources)
      .filter((resource) => resource.Type === "AWS::IAM::Policy" && resource.Properties.Roles.some((role: Json) => role.Ref === roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Json[])
      .concat((resources[roleId].Properties.Policies ?? []).flatMap((policy: Json) => policy.PolicyDocument.Statement))
      .map((statement: Json) => ({ ...statement, Resource: [statement.Resource].flat().map(resolve) }));

  const roles = new Map<string, Role>();
  const add = (principal: Principal, roleId: string) => {
    const key = principalKey(principal);
    roles.set(key, { principal: key, statements: statementsOf(roleId) });
  };
  for (const [routeKey, fn] of stack.routeFunctions) add({ kind: "route", routeKey, entry: "" }, logicalId(fn.role!));
  add({ kind: "fallback" }, logicalId(stack.fallbackFunction.role!));
  for (const [step, fn] of Object.entries(stack.cleanup.stepFunctions)) {
    add({ kind: "cleanupStep", step: step as never }, logicalId(fn.role!));
  }
  add({ kind: "cleanupStateMachine" }, logicalId(stack.cleanup.stateMachine.role));
  const schedule = Object.values(resources).find((resource) => resource.Type === "AWS::Scheduler::Schedule");
  add({ kind: "cleanupSchedule" }, schedule.Properties.Target.RoleArn["Fn::GetAtt"][0]);

  const tableArn = resolve({ "Fn::GetAtt": [stack.getLogicalId(stack.data.table.node.defaultChild as never), "Arn"] });
  const functionArn = (fn: { node: { defaultChild?: unknown } }) =>
    resolve({ "Fn::GetAtt": [stack.getLogicalId(fn.node.defaultChild as never), "Arn"] });
  const arnOf = (resource: AwsResource): string => {
    switch (resource.kind) {
      case "table":
        return resource.index ? `${tableArn}/index/${resource.index}` : tableArn;
      case "otherTable":
        return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${resource.name}`;
      case "cleanupStateMachine":
        return resolve({ Ref: stack.getLogicalId(stack.cleanup.stateMachine.node.defaultChild as never) });
      case "cleanupStep":
        return functionArn(stack.cleanup.stepFunctions[resource.step]);
    }
  };
  return { roles, arnOf };
}

async function allows(statements: Statement[], action: string, resource: string): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/proof`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: {},
      },
      identityPolicies: [{ name: "role", policy: { Version: "2012-10-17", Statement: statements } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === "error") throw new Error(`IAM simulation of ${action} on ${resource} failed: ${result.errors.message}`);
  return result.overallResult === "Allowed";
}

/** The calls a role does not allow, as sentences naming the function, the action and the resource. */
export async function deniedCalls(stackRoles: StackRoles, calls: readonly AwsCall[]): Promise<string[]> {
  const denied: string[] = [];
  for (const call of calls) {
    const name = principalKey(call.principal);
    const role = stackRoles.roles.get(name);
    // A test's own route (the local host's tests) has no function in the stack.
    if (!role) continue;
    const resource = stackRoles.arnOf(call.resource);
    if (!(await allows(role.statements, call.action, resource))) {
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
  for (const role of stackRoles.roles.values()) {
    const own = calls
      .filter((call) => principalKey(call.principal) === role.principal)
      .map((call) => ({ action: call.action, resource: stackRoles.arnOf(call.resource) }));
    for (const statement of role.statements) {
      if (statement.Effect !== "Allow") continue;
      for (const action of [statement.Action].flat()) {
        if (platformActions.test(action)) continue;
        for (const resource of [statement.Resource].flat()) {
          const granted: Statement[] = [{ Effect: "Allow", Action: action, Resource: resource.replace(/:\*$/, "") }];
          const candidates = own.filter((call) => call.action.toLowerCase() === action.toLowerCase() || action.includes("*"));
          let used = false;
          for (const call of candidates) if (!used && (await allows(granted, call.action, call.resource))) used = true;
          if (!used) unused.push(`${role.principal}: grants ${action} on ${resource}, which no recorded call used`);
        }
      }
    }
  }
  return unused;
}

/** The principals of the stack that never ran while recording. */
export function neverExercised(stackRoles: StackRoles, ran: readonly Principal[]): string[] {
  const seen = new Set(ran.map(principalKey));
  return [...stackRoles.roles.keys()].filter((principal) => !seen.has(principal)).map((principal) => `${principal}: never exercised`);
}
