import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";

// The Step Functions client of the function that starts cleanup runs (cleanup-runner.ts): a module of its own, which
// that function loads when it first starts a run, so that its import carries only the client and the one command.

let client: SFNClient | undefined;

/**
 * Starts an execution of the state machine, named so that a retried start of the same run cannot start it twice;
 * `options` carries the request deadline's abort signal (`untilDeadline()`).
 */
export async function startExecution(
  region: string,
  stateMachineArn: string | undefined,
  name: string,
  input: string,
  options: { abortSignal?: AbortSignal },
): Promise<void> {
  client ??= new SFNClient({ region });
  await client.send(new StartExecutionCommand({ stateMachineArn, name, input }), options);
}
