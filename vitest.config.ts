import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";

/**
 * The end-to-end stories over HTTP. `npm test` runs them with every other file, against the local server, in one run
 * (one DynamoDB Local, one synthesis of the stack's roles); `npm run test:deployed` runs them alone
 * (vitest.deployed.config.ts), against the local server too, or against a deployed stage with API_URL.
 */
export const storyFiles = ["test/e2e/api-stories.test.ts"];

/** The stories as a project of this run: the root's settings, DynamoDB Local and a table per file included. */
export const storiesProject = {
  extends: true,
  test: { name: "stories", include: storyFiles },
} satisfies TestProjectInlineConfiguration;

export default defineConfig({
  test: {
    // One DynamoDB Local for the whole run; every test file creates its own table, so files run in parallel.
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/table-per-file.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "local", include: ["test/**/*.test.ts"], exclude: storyFiles } },
      storiesProject,
    ],
  },
});
