// Which function of the stack the local host is running right now, and the AWS calls it makes that are not
// SDK requests (the local stand-ins of Step Functions and Lambda). The IAM proof (test/support/aws-calls.ts)
// reads both, to check every call against the role of the function that made it in AWS.
import { AsyncLocalStorage } from "node:async_hooks";
import type { CleanupStepName } from "../../shared/use-cases/cleanup/runner";

/** Who makes a call in AWS: a route's function, the fallback, a cleanup step, the state machine, the schedule. */
export type Principal =
  | { kind: "route"; routeKey: string; entry: string }
  | { kind: "fallback" }
  | { kind: "cleanupStep"; step: CleanupStepName }
  | { kind: "cleanupStateMachine" }
  | { kind: "cleanupSchedule" };

/** What a call acts on, named as the stack names it (the recorder resolves it to the deployed ARN). */
export type AwsResource =
  | { kind: "table"; index?: string }
  | { kind: "otherTable"; name: string }
  | { kind: "cleanupStateMachine" }
  | { kind: "cleanupStep"; step: CleanupStepName }
  /** The SES identity notices are sent from, and the user pool their addresses are looked up in. */
  | { kind: "noticeSenderIdentity" }
  | { kind: "userPool" };

export interface AwsCall {
  principal: Principal;
  /** An IAM action, e.g. `dynamodb:GetItem`. */
  action: string;
  resource: AwsResource;
  /** The request's IAM condition keys, e.g. `ses:FromAddress`. */
  context?: Record<string, string>;
}

/** A principal's name in reports: its route key, or what it is. */
export function principalKey(principal: Principal): string {
  switch (principal.kind) {
    case "route":
      return principal.routeKey;
    case "cleanupStep":
      return `cleanup step ${principal.step}`;
    case "fallback":
      return "$default";
    case "cleanupStateMachine":
      return "cleanup state machine";
    case "cleanupSchedule":
      return "cleanup schedule";
  }
}

const running = new AsyncLocalStorage<Principal>();
const listeners = new Set<(call: AwsCall) => void>();
const invocationListeners = new Set<(principal: Principal) => void>();

/** Runs `work` as `principal`: everything it starts, awaited or not, is that principal's. */
export function runAs<T>(principal: Principal, work: () => T): T {
  for (const listener of invocationListeners) listener(principal);
  return running.run(principal, work);
}

/** The principal whose work is running, if the local host started it. */
export function currentPrincipal(): Principal | undefined {
  return running.getStore();
}

/** Reports a call a local stand-in makes for the running principal (nothing happens unless a recorder listens). */
export function reportAwsCall(action: string, resource: AwsResource, context?: Record<string, string>): void {
  const principal = currentPrincipal();
  if (!principal) return;
  for (const listener of listeners) listener({ principal, action, resource, ...(context ? { context } : {}) });
}

/** Listens to reported calls, and to the principals that run, until the returned function is called. */
export function onAwsCall(
  listener: (call: AwsCall) => void,
  onRun: (principal: Principal) => void = () => undefined,
): () => void {
  listeners.add(listener);
  invocationListeners.add(onRun);
  return () => {
    listeners.delete(listener);
    invocationListeners.delete(onRun);
  };
}
