// `npm run bench`: every part in sequence, each writing its section of docs/performance.md as it finishes.
import { writeSection } from "./support/report";

const parts: [string, () => Promise<string>][] = [
  ["cold-start", async () => (await import("./cold-start")).coldStart()],
  ["cost", async () => (await import("./cost-per-operation")).costPerOperation()],
  ["throughput", async () => (await import("./throughput")).throughput()],
  ["hot-author", async () => (await import("./hot-author")).hotAuthor()],
  ["cleanup", async () => (await import("./cleanup")).cleanupScaling()],
];

const started = performance.now();
for (const [name, run] of parts) {
  const partStarted = performance.now();
  process.stderr.write(`bench: ${name}...\n`);
  writeSection(name, await run());
  process.stderr.write(`bench: ${name} done in ${((performance.now() - partStarted) / 1000).toFixed(0)} s\n`);
}
process.stderr.write(`bench: all parts in ${((performance.now() - started) / 60_000).toFixed(1)} min\n`);
process.exit(0);
