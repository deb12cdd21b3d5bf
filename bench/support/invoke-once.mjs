// Runs in a fresh Node process, as a Lambda cold start does: load one bundle, answer one event, exit.
// Prints the status code and the milliseconds spent loading and answering, as measured inside the process.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, "utf8"));
const started = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const loaded = performance.now();
const context = { awsRequestId: "bench", functionName: "bench", getRemainingTimeInMillis: () => 30_000 };
const result = await handler(event, context);
const answered = performance.now();
process.stdout.write(
  JSON.stringify({
    // An HTTP function's status; a cleanup step answers its state machine's data.
    status: result?.statusCode ?? "ok",
    loadMs: loaded - started,
    answerMs: answered - loaded,
    sinceProcessStartMs: answered,
  }) + "\n",
);
process.exit(0);
