// Runs in a fresh Node process: imports one bundle as Lambda's init does and prints the files that import loaded
// (index.mjs, the chunks it imports, and any a module's top-level `await import()` loads), as a JSON array of paths.
import { registerHooks } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const [bundle] = process.argv.slice(2);
const loaded = new Set();
registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith("file:")) loaded.add(fileURLToPath(url));
    return nextLoad(url, context);
  },
});
await import(pathToFileURL(bundle).href);
process.stdout.write(`${JSON.stringify([...loaded])}\n`, () => process.exit(0));
