// `npm run cleanup -- [--dry-run] [--cutoff <ISO time>]`: runs one cleanup of inactive accounts to the end, in this
// process, against the configured table: TABLE_NAME (default `trading-community-local`, as `npm start`) at
// DYNAMODB_ENDPOINT (a DynamoDB Local), or, without DYNAMODB_ENDPOINT, the AWS table named TABLE_NAME with the
// usual AWS credentials and AWS_REGION. Prints the run's report (the API's Run) as JSON.
// Notices before deletion go over SMTP to the mail sink SMTP_HOST/SMTP_PORT name (npm start prints its own), or,
// without SMTP_HOST, to a sink this command starts and stops (kept under LOCAL_MAIL_DIR, default .data/mail);
// the notices' export link is LOCAL_API_URL (default http://localhost:3000) + /me/export.
// Exit codes: 0 succeeded, 1 failed, 2 bad arguments, 3 another run holds the lease.
import { hostConcurrentInvocations } from "./invoke-store";
import { startLocalMail, useLocalMail } from "./mail";
import { commandArguments, operatorEnvironment } from "./operator-command";

const values = commandArguments("cleanup", "npm run cleanup -- [--dry-run] [--cutoff <ISO time>]", {
  "dry-run": { type: "boolean", default: false },
  cutoff: { type: "string" },
});
// This command is the runner: whatever the environment says about runners, its steps run here.
process.env.CLEANUP_RUNNER = "in-process";
operatorEnvironment();
// Mail only where notices are configured (DELETION_NOTICE_LEADS not empty): the sink takes seconds to start.
const { config } = await import("../../shared/config");
const mailSink = config.DELETION_NOTICE_LEADS.length > 0 ? await startLocalMail() : undefined;
if (config.DELETION_NOTICE_LEADS.length > 0) await useLocalMail(process.env.LOCAL_API_URL ?? "http://localhost:3000");

// Each step runs as an invocation of its function, as the local server runs them (its logs and metrics its own).
hostConcurrentInvocations(1);
// Imported only now: the modules read their configuration from the environment set above.
const { asStepFunction } = await import("./cleanup-runner");
const { DomainError } = await import("../../shared/errors");
const { beginRun, runRequest, ticketOf } = await import("../../shared/use-cases/cleanup/lease");
const { runToCompletion } = await import("../../shared/use-cases/cleanup/runner");
const { readRun } = await import("../../shared/use-cases/cleanup/reports");
const { cleanupRunInputSchema } = await import("../../shared/schemas/cleanup");

const input = cleanupRunInputSchema.safeParse({
  dryRun: values["dry-run"],
  ...(values.cutoff ? { cutoff: values.cutoff } : {}),
});
if (!input.success) {
  process.stderr.write(`cleanup: --cutoff must be an ISO-8601 time that is not in the future\n`);
  process.exit(2);
}
const now = new Date();
let runId: string;
try {
  const run = await beginRun(runRequest(input.data, now), now);
  runId = run.runId;
  process.stderr.write(
    `cleanup: run ${run.runId} (${run.dryRun ? "dry run" : "real run"}, cutoff ${run.cutoff}) on ${process.env.TABLE_NAME}\n`,
  );
  await runToCompletion(ticketOf(run), undefined, asStepFunction);
} catch (error) {
  if (error instanceof DomainError && error.code === "cleanup_already_running") {
    process.stderr.write("cleanup: another run holds the lease; try again once it has finished\n");
    process.exit(3);
  }
  process.stderr.write(`cleanup: failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify(await readRun(runId), null, 2)}\n`);
if (mailSink)
  process.stderr.write(`cleanup: notices went to a mail sink started for this run (kept under .data/mail)\n`);
await mailSink?.stop();
process.exit(0);
