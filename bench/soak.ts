// `npm run soak -- --minutes N [--seed S] [--concurrency C]`: the chaos test (test/integration/chaos.test.ts) run for
// N minutes (default 5) on an embedded DynamoDB Local (or DYNAMODB_ENDPOINT) with a fresh table: random concurrent
// operations through the handlers while DynamoDB conflicts, throttles, loses answers after applying writes, and
// cleanup runs are killed part-way; then the audit. Prints progress every 10 s, then the operations per second and
// the faults injected. Exit codes: 0 no answer outside the contract and zero drift, 1 otherwise, 2 bad arguments.
import { parseArgs } from "node:util";
import { startBenchEnvironment } from "./support/environment";

function parseArguments() {
  try {
    const { values } = parseArgs({
      options: {
        minutes: { type: "string", default: "5" },
        seed: { type: "string" },
        concurrency: { type: "string", default: "6" },
      },
    });
    const minutes = Number(values.minutes);
    const concurrency = Number(values.concurrency);
    const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
    if (!(minutes > 0) || !Number.isInteger(concurrency) || concurrency < 1 || !Number.isInteger(seed))
      throw new Error("--minutes must be positive, --concurrency and --seed whole numbers");
    return { minutes, concurrency, seed };
  } catch (error) {
    process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}
const options = parseArguments();
// As the chaos test runs: no notices (no mail service here), a second chance of 30 days (contract 1.2).
process.env.DELETION_NOTICE_LEADS ??= "";
process.env.DEACTIVATION_GRACE ??= "P30D";
const environment = await startBenchEnvironment("soak");
// Imported only now: the handlers' modules read their configuration from the environment set above.
const { chaosSummary, runChaos } = await import("../test/support/chaos");
const { auditTable, findingLine } = await import("../shared/use-cases/audit");

process.stderr.write(
  `soak: ${options.minutes} min, ${options.concurrency} at a time, seed ${options.seed}, table ${environment.tableName}\n`,
);
let nextProgress = 0;
const stats = await runChaos({
  seed: options.seed,
  durationMs: options.minutes * 60_000,
  concurrency: options.concurrency,
  onProgress: (progress) => {
    if (progress.elapsedMs < nextProgress) return;
    nextProgress = progress.elapsedMs + 10_000;
    process.stderr.write(`soak: ${chaosSummary(progress)}\n`);
  },
});
const audit = await auditTable({ segments: 4, fix: false });
const lines = [
  `soak: ${chaosSummary(stats)}`,
  `soak: answers by operation and status: ${JSON.stringify(stats.answers)}`,
  `soak: audit of ${audit.itemsScanned} items: ${audit.findings.length === 0 ? "zero drift" : `${audit.findings.length} finding(s)`}`,
  ...audit.findings.map(findingLine),
  ...stats.violations.map((violation) => `violation: ${violation}`),
];
process.stdout.write(`${lines.join("\n")}\n`);
await environment.stop();
process.exit(audit.findings.length === 0 && stats.violations.length === 0 ? 0 : 1);
