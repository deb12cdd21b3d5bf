// The CDK's local bundling is synchronous, and esbuild runs plugins only in its asynchronous API: this worker runs
// infra/bundling.ts's build for bundleFunctionSync, one function at a time, and wakes the waiting thread when done.
// A plain module: it registers tsx to load the TypeScript sources.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

const { port, signal } = workerData;
const built = (async () => {
  register();
  return import("./bundling.ts");
})();

port.on("message", async ({ fn, outdir }) => {
  let error = null;
  try {
    await (await built).bundleFunction(fn, outdir);
  } catch (failure) {
    error = failure instanceof Error ? (failure.stack ?? failure.message) : String(failure);
  }
  port.postMessage({ error });
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
