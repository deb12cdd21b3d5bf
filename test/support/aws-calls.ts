// Records the AWS calls each function of the stack makes while the local host runs it: DynamoDB requests through
// an SDK middleware on the shared client, and the calls the local stand-ins of Step Functions and Lambda report.
// Each call is named as IAM sees it (an action on a resource), and tagged with the function that made it
// (infra/local/invocation-context.ts), so the IAM proof can check it against that function's role.
import { AsyncLocalStorage } from "node:async_hooks";
import { dynamoDb } from "../../shared/db/client";
import {
  type AwsCall,
  type AwsResource,
  currentPrincipal,
  onAwsCall,
  type Principal,
  principalKey,
} from "../../infra/local/invocation-context";

type Input = Record<string, any>;

// The SDK names some commands differently from their IAM actions (lib-dynamodb drops the `Item` of most).
const actionOfCommand: Record<string, string> = {
  Get: "GetItem",
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  BatchGet: "BatchGetItem",
  BatchWrite: "BatchWriteItem",
  TransactGet: "TransactGetItems",
  TransactWrite: "TransactWriteItems",
};

// IAM checks a transaction item by item, as the action it performs (DynamoDB: "Using IAM with transactions").
const actionOfTransactItem: Record<string, string> = {
  Get: "GetItem",
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  ConditionCheck: "ConditionCheckItem",
};

export interface TableCall {
  action: string;
  table: string;
  index?: string;
}

/** The IAM actions one DynamoDB request needs, each on its table (or index). */
function iamActionsOf(commandName: string, input: Input): TableCall[] {
  const command = commandName.replace(/Command$/, "");
  const action = actionOfCommand[command] ?? command;
  if (action === "TransactWriteItems" || action === "TransactGetItems") {
    return (input.TransactItems as Input[]).map((item) => {
      const [kind, request] = Object.entries(item)[0]! as [string, Input];
      return { action: `dynamodb:${actionOfTransactItem[kind]}`, table: request.TableName as string };
    });
  }
  if (action === "BatchGetItem" || action === "BatchWriteItem") {
    return Object.keys(input.RequestItems as Input).map((table) => ({ action: `dynamodb:${action}`, table }));
  }
  return [
    {
      action: `dynamodb:${action}`,
      table: input.TableName as string,
      ...(input.IndexName ? { index: input.IndexName as string } : {}),
    },
  ];
}

/** A call as a string key, to count each distinct call once. */
const callKey = (call: AwsCall): string => JSON.stringify([principalKey(call.principal), call.action, call.resource]);

/**
 * Starts recording: every DynamoDB request made on behalf of a function, and every reported stand-in call.
 * Requests to another table than this test file's (none should be made) are recorded as on that table's name.
 */
export function recordAwsCalls(tableName: string) {
  const calls = new Map<string, AwsCall>();
  const add = (call: AwsCall) => calls.set(callKey(call), call);
  const name = `awsCalls-${Math.random()}`;
  // A request sent from inside another request's middleware is a test's doing (a fault it injects), never a
  // function's: it is not recorded.
  const insideRequest = new AsyncLocalStorage<true>();
  dynamoDb.middlewareStack.add(
    (next, context) => async (args) => {
      if (insideRequest.getStore()) return next(args);
      const principal = currentPrincipal();
      if (principal) {
        for (const call of iamActionsOf(String(context.commandName ?? "unknown"), args.input)) {
          const resource: AwsResource =
            call.table === tableName
              ? { kind: "table", ...(call.index ? { index: call.index } : {}) }
              : { kind: "otherTable", name: call.table };
          add({ principal, action: call.action, resource });
        }
      }
      return insideRequest.run(true, () => next(args));
    },
    { step: "initialize", name },
  );
  const ran = new Map<string, Principal>();
  const stopListening = onAwsCall(add, (principal) => ran.set(principalKey(principal), principal));
  return {
    calls: () => [...calls.values()],
    /** Every principal that ran, whether or not it called anything. */
    ran: () => [...ran.values()],
    stop: () => {
      dynamoDb.middlewareStack.remove(name);
      stopListening();
    },
  };
}
