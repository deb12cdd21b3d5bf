// Runs in a fresh Node process, as a Lambda environment starts: loads one deployed bundle three times, first
// without CURSOR_SECRET, then without TOKEN_VERIFIER (each must refuse to load), then with its full configuration,
// and answers one event. Prints what happened as JSON. Usage: node load-bundle.mjs <bundle> <event.json>
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const [bundle, eventFile] = process.argv.slice(2);
const url = pathToFileURL(bundle).href;
const refusals = {};
for (const setting of ["CURSOR_SECRET", "TOKEN_VERIFIER"]) {
  const value = process.env[setting];
  delete process.env[setting];
  // A copy of the bundle's directory, so that every module of it (its chunks too: a chunk whose evaluation failed
  // stays failed in this process) is evaluated afresh, as in a new environment.
  const copy = mkdtempSync(join(tmpdir(), `without-${setting}-`));
  cpSync(dirname(bundle), copy, { recursive: true });
  try {
    await import(pathToFileURL(join(copy, basename(bundle))).href);
    refusals[setting] = null;
  } catch (error) {
    refusals[setting] = error instanceof Error ? error.message : String(error);
  }
  process.env[setting] = value;
  rmSync(copy, { recursive: true, force: true });
}
const { handler } = await import(`${url}?configured`);
const context = { awsRequestId: "bundle-test", functionName: "bundle-test", getRemainingTimeInMillis: () => 10_000 };
const result = await handler(JSON.parse(readFileSync(eventFile, "utf8")), context);
// Exits once the answer is written: a pipe takes large answers (the reference script) in several writes.
process.stdout.write(`${JSON.stringify({ refusals, result })}\n`, () => process.exit(0));
