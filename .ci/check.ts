// `npm run check`: the gate `npm test` (and so CI) passes first. Five tools, all at once (the two type-aware ones
// take most of the time, each on its own core), each one's output printed whole when it ends, in a fixed order:
//   format   Prettier: every file as .prettierrc.json prints it
//   layers   dependency-cruiser: the layering rules and no import cycle (.dependency-cruiser.cjs)
//   unused   knip: no unused file, export or dependency (knip.jsonc)
//   types    tsc --noEmit over everything tsconfig.json holds
//   lint     typescript-eslint with type information (eslint.config.js)
// `npm run fix` (this file with --fix) applies the safe fixes first: ESLint's fixers, then Prettier over all.
// Runs with Node's own type stripping: no import, so nothing to compile.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (tool: string): string => join(root, "node_modules", ".bin", tool);

interface Step {
  name: string;
  command: string;
  args: string[];
}

const steps: Step[] = [
  // Prettier's cache (node_modules/.cache) skips files unchanged since they last passed; a fresh clone has none.
  {
    name: "format",
    command: bin("prettier"),
    args: ["--check", "--cache", "--cache-strategy", "content", "--log-level", "warn", "."],
  },
  {
    name: "layers",
    command: bin("depcruise"),
    args: ["--config", ".dependency-cruiser.cjs", "infra", "functions", "shared", "test", "bench", ".ci"],
  },
  { name: "unused", command: bin("knip"), args: ["--no-progress"] },
  { name: "types", command: bin("tsc"), args: ["--noEmit", "-p", "."] },
  { name: "lint", command: bin("eslint"), args: ["--max-warnings", "0", "."] },
];

interface Outcome {
  name: string;
  code: number;
  seconds: number;
  output: string;
}

function run(step: Step): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(step.command, step.args, { cwd: root, env: { ...process.env, FORCE_COLOR: "0" } });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const end = (code: number) =>
      resolve({ name: step.name, code, seconds: (performance.now() - started) / 1000, output });
    child.on("error", (error) => {
      output += `${error.message}\n`;
      end(1);
    });
    child.on("close", (code) => end(code ?? 1));
  });
}

async function fix(): Promise<number> {
  const lint = await run({ name: "lint --fix", command: bin("eslint"), args: ["--fix", "."] });
  const format = await run({
    name: "format --write",
    command: bin("prettier"),
    args: ["--write", "--log-level", "warn", "."],
  });
  for (const outcome of [lint, format]) report(outcome);
  return lint.code || format.code;
}

function report(outcome: Outcome): void {
  const verdict = outcome.code === 0 ? "ok" : "FAILED";
  process.stdout.write(`check ${outcome.name}: ${verdict} in ${outcome.seconds.toFixed(1)} s\n`);
  if (outcome.code !== 0 || outcome.output.trim() !== "") process.stdout.write(outcome.output.replace(/\n?$/, "\n"));
}

async function check(): Promise<number> {
  const started = performance.now();
  const outcomes = await Promise.all(steps.map(run));
  for (const outcome of outcomes) report(outcome);
  const failed = outcomes.filter((outcome) => outcome.code !== 0).map((outcome) => outcome.name);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    failed.length === 0
      ? `check: all passed in ${seconds} s\n`
      : `check: FAILED (${failed.join(", ")}) in ${seconds} s\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await (process.argv.includes("--fix") ? fix() : check());
