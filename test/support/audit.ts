// The audit as the tests' oracle: the checker of `npm run audit` run in-process on the test file's table, and the
// command itself run as a child process, as an operator runs it.
import { expect } from "vitest";
import { findingLine, auditTable, type AuditReport } from "../../shared/use-cases/audit";
import { anOperatorCommand, type CommandResult } from "./operator-commands";

/** Audits the table in-process (read only). */
export const anAudit = (): Promise<AuditReport> => auditTable({ segments: 4, fix: false });

/** Every invariant of the data model holds on the test file's table: no drift, nothing broken, nothing half-done. */
export async function expectNoDrift(context = ""): Promise<void> {
  const report = await anAudit();
  expect(report.findings.map(findingLine), `audit findings ${context}`).toEqual([]);
}

/** `npm run audit -- <args>` against the test file's table, in a child process. */
export const theAuditCommand = (args: string[]): Promise<CommandResult> =>
  anOperatorCommand("infra/local/audit.ts", args);
