// `npm run audit -- [--fix] [--segments N] [--json]`: checks every invariant of the data model on the configured
// table (docs/data-model.md, "Audit"): TABLE_NAME (default `trading-community-local`, as `npm start`) at
// DYNAMODB_ENDPOINT (a DynamoDB Local), or, without DYNAMODB_ENDPOINT, the AWS table named TABLE_NAME with the usual
// AWS credentials and AWS_REGION (which need dynamodb:Scan besides the functions' actions). Reads the whole table
// in N parallel Scan segments (default 4), printing a progress line per page on stderr, then the report on stdout:
// one line per finding, with the account's ID and, for a count, what is stored against what the relations say.
// `--fix` repairs every drifted count with the recount the cleanup uses, and adds a follower history point with
// reason `recount` where a follower count changes. Exit codes: 0 clean (with --fix: every finding repaired),
// 1 findings left, 2 bad arguments, 3 the audit itself failed (run it again).
import { badArgument, commandArguments, operatorEnvironment } from "./operator-command";

const options = commandArguments("audit", "npm run audit -- [--fix] [--segments N] [--json]", {
  fix: { type: "boolean", default: false },
  segments: { type: "string", default: "4" },
  json: { type: "boolean", default: false },
});
const segments = Number(options.segments);
if (!Number.isInteger(segments) || segments < 1 || segments > 1000)
  badArgument("audit", "--segments must be a whole number from 1 to 1000");
const values = { ...options, segments };
operatorEnvironment();

// Imported only now: the modules read their configuration from the environment set above.
const { auditTable, findingLine } = await import("../../shared/use-cases/audit");

process.stderr.write(
  `audit: reading ${process.env.TABLE_NAME} in ${values.segments} segments${values.fix ? ", repairing drifted counts" : ""}\n`,
);
try {
  const report = await auditTable({
    segments: values.segments,
    fix: values.fix,
    onScanPage: (progress) =>
      process.stderr.write(
        `audit: segment ${progress.segment + 1}/${values.segments}: page ${progress.pages}, ${progress.scanned} items scanned\n`,
      ),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines = [
      `audit ${report.auditId}: ${report.itemsScanned} items scanned${report.cleanupRunning ? " (a cleanup run is under way)" : ""}`,
      ...report.repaired.map(
        (drift) =>
          `repaired: ${drift.invariant} of ${drift.userId}${drift.postId ? ` (post ${drift.postId})` : ""}: ${drift.stored} -> ${drift.expected}`,
      ),
      ...report.findings.map(findingLine),
      report.findings.length === 0
        ? "audit: clean"
        : `audit: ${report.findings.length} finding(s)${values.fix ? " left" : "; `npm run audit -- --fix` repairs drifted counts"} (docs/deploy.md, "Audit reports drift")`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  process.exit(report.findings.length === 0 ? 0 : 1);
} catch (error) {
  process.stderr.write(`audit: failed: ${error instanceof Error ? error.message : String(error)}; run it again\n`);
  process.exit(3);
}
