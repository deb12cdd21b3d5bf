// Runs in a fresh Node process, as a Lambda cold start does: load one bundle, answer one event, exit.
// Prints the status code and the milliseconds spent loading and answering, as measured inside the process, and the
// CPU time the load took (user + system, all of the process's threads): what a busy machine's other processes
// change least.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, "utf8"));
const cpuBefore = process.cpuUsage();
const started = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const loaded = performance.now();
const loadCpu = process.cpuUsage(cpuBefore);
const context = { awsRequestId: "bench", functionName: "bench", getRemainingTimeInMillis: () => 30_000 };
const result = await handler(event, context);
const answered = performance.now();
process.stdout.write(
  JSON.stringify({
    // An HTTP function's status; a cleanup step answers its state machine's data.
    status: result?.statusCode ?? "ok",
    loadMs: loaded - started,
    loadCpuMs: (loadCpu.user + loadCpu.system) / 1000,
    answerMs: answered - loaded,
    sinceProcessStartMs: answered,
  }) + "\n",
);
process.exit(0);
