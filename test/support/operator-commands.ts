// The operators' commands (`npm run migrate`, `npm run audit`...) run as an operator runs them: a child process
// against the test file's table on the tests' DynamoDB Local.
import { spawn } from "node:child_process";
import { inject } from "vitest";
import { MAX_CONCURRENCY_VARIABLE } from "../../infra/local/invoke-store";

export interface CommandResult {
  code: number | null;
  out: string;
  err: string;
}

/** Runs `tsx <script> <args>` against the test file's table and answers its exit code and output. */
export function anOperatorCommand(script: string, args: string[]): Promise<CommandResult> {
  // The local host in this process announces concurrent invocations to the logger and the metrics; an operator's shell does not.
  const { [MAX_CONCURRENCY_VARIABLE]: _hostsOwn, ...env } = process.env;
  return new Promise((resolve) => {
    const child = spawn("node_modules/.bin/tsx", [script, ...args], {
      env: {
        ...env,
        DYNAMODB_ENDPOINT: inject("dynamoDbEndpoint"),
        TABLE_NAME: process.env.TABLE_NAME,
        LOG_LEVEL: "silent",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.once("exit", (code) => resolve({ code, out, err }));
  });
}
