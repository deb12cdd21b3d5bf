import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One DynamoDB Local for the whole run; every test file creates its own table, so files run in parallel.
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/table-per-file.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
