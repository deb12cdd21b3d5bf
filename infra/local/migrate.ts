// `npm run migrate -- [--restart]`: moves posts stored before contract 1.1 (the body on the post item) to the
// 1.1 layout (a summary item and a body item; docs/data-model.md, "Migrating posts stored before 1.1"), against
// the configured table: TABLE_NAME (default `trading-community-local`, as `npm start`) at DYNAMODB_ENDPOINT (a
// DynamoDB Local), or, without DYNAMODB_ENDPOINT, the AWS table named TABLE_NAME with the usual AWS credentials
// and AWS_REGION. Run it once the 1.1 code is deployed; the API keeps serving meanwhile. Prints a progress line
// per page of the scan on stderr and the run's figures as JSON. Idempotent; after a crash, run it again and it
// resumes from its checkpoint. Exit codes: 0 done, 1 failed (run again to resume), 2 bad arguments.
import { commandArguments, operatorEnvironment } from "./operator-command";

const values = commandArguments("migrate", "npm run migrate -- [--restart]   (--restart: scan the whole table again)", {
  restart: { type: "boolean", default: false },
});
operatorEnvironment();

// Imported only now: the modules read their configuration from the environment set above.
const { migratePostBodies, progressLine } = await import("../../shared/use-cases/post-migration");

process.stderr.write(`migrate: moving post bodies out of post items on ${process.env.TABLE_NAME}\n`);
try {
  const progress = await migratePostBodies({
    restart: values.restart,
    onProgress: (current) => process.stderr.write(`${progressLine(current)}\n`),
  });
  process.stdout.write(`${JSON.stringify(progress, null, 2)}\n`);
  process.exit(0);
} catch (error) {
  process.stderr.write(
    `migrate: failed: ${error instanceof Error ? error.message : String(error)}; run it again to resume\n`,
  );
  process.exit(1);
}
