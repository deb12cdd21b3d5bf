// `npm run bench`: every part in sequence, each in a fresh process (the handlers read their configuration once,
// at load, as in Lambda; each part has its own DynamoDB Local and table), each writing its section of
// docs/performance.md as it finishes.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

const parts = ["cold-start", "cost-per-operation", "throughput", "hot-author", "cleanup", "observability-cost"];
const root = resolve(import.meta.dirname, "..");

const started = performance.now();
for (const part of parts) {
  const partStarted = performance.now();
  process.stderr.write(`bench: ${part}...\n`);
  const run = spawnSync(process.execPath, ["--import", "tsx", `bench/${part}.ts`], { cwd: root, stdio: "inherit" });
  if (run.status !== 0) {
    process.stderr.write(`bench: ${part} failed (exit ${run.status})\n`);
    process.exit(1);
  }
  process.stderr.write(`bench: ${part} done in ${((performance.now() - partStarted) / 1000).toFixed(0)} s\n`);
}
process.stderr.write(`bench: all parts in ${((performance.now() - started) / 60_000).toFixed(1)} min\n`);
