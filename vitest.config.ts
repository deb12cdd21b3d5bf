import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The chaos test holds every handler to its Lambda timeout while it injects faults: beside another file's CPU
    // (esbuild bundling every function, Chromium) on 2 cores, the machine, not the code, would miss those timeouts.
    // `npm test` runs it right after the rest, alone (CHAOS=1).
    exclude: process.env.CHAOS ? [] : ["test/integration/chaos.test.ts"],
    // One DynamoDB Local for the whole run; every test file creates its own table, so files run in parallel.
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/table-per-file.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
