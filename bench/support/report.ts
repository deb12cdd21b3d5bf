import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";

const reportPath = resolve(import.meta.dirname, "../../docs/performance.md");

const header = `# Performance

Written by \`npm run bench\` (each part alone: \`npm run bench:<part>\`); do not edit by hand. Every figure that
matters is a ratio measured side by side in the same run; absolute times depend on the machine and are marked so.
Benchmarks are not tests: they never run in \`npm test\` and never fail CI on timing.
`;

export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return `Machine (absolute figures depend on it): ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}.`;
}

/** Replaces one part's section of docs/performance.md, keeping the others. */
export function writeSection(part: string, markdown: string): void {
  const begin = `<!-- bench:${part}:begin -->`;
  const end = `<!-- bench:${part}:end -->`;
  let document = existsSync(reportPath) ? readFileSync(reportPath, "utf8") : header;
  const section = `${begin}\n${markdown.trim()}\n${end}`;
  const start = document.indexOf(begin);
  const stop = document.indexOf(end);
  document =
    start >= 0 && stop > start
      ? document.slice(0, start) + section + document.slice(stop + end.length)
      : `${document.trimEnd()}\n\n${section}\n`;
  writeFileSync(reportPath, document);
}
