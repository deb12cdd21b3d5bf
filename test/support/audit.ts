// The audit as the tests' oracle: the checker of `npm run audit` run in-process on the test file's table, and the
// command itself run as a child process, as an operator runs it.
import { spawn } from "node:child_process";
import { expect, inject } from "vitest";
import { findingLine, auditTable, type AuditReport } from "../../shared/use-cases/audit";

/** Audits the table in-process (read only). */
export const anAudit = (): Promise<AuditReport> => auditTable({ segments: 4, fix: false });

/** Every invariant of the data model holds on the test file's table: no drift, nothing broken, nothing half-done. */
export async function expectNoDrift(context = ""): Promise<void> {
  const report = await anAudit();
  expect(report.findings.map(findingLine), `audit findings ${context}`).toEqual([]);
}

export interface CommandResult {
  code: number | null;
  out: string;
  err: string;
}

/** `npm run audit -- <args>` against the test file's table, in a child process. */
export function theAuditCommand(args: string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn("node_modules/.bin/tsx", ["infra/local/audit.ts", ...args], {
      env: { ...process.env, DYNAMODB_ENDPOINT: inject("dynamoDbEndpoint"), TABLE_NAME: process.env.TABLE_NAME, LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.once("exit", (code) => resolve({ code, out, err }));
  });
}
