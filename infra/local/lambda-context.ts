import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";
import { DEFAULT_TIMEOUT_SECONDS } from "../routes";

/**
 * The Lambda context of one invocation, as Lambda hands it to a handler: its remaining time counts down from the
 * function's timeout, from the moment it is made. The local host makes it as the invocation starts and ends the
 * invocation when it reaches 0 (infra/local/server.ts), so a handler reads the very time it has left, which its
 * deadline is derived from (shared/deadline.ts).
 */
export function lambdaContext(functionName: string, timeoutSeconds = DEFAULT_TIMEOUT_SECONDS): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
