import { defineConfig } from "vitest/config";
import base, { storiesProject, storyFiles } from "./vitest.config";

// `npm run test:deployed`: the end-to-end stories (test/e2e/api-stories.test.ts) over HTTP. With API_URL, against
// that deployed stage, whose Cognito user pool signs the test users in (USER_POOL_ID, USER_POOL_CLIENT_ID): nothing
// local is started. Without, against the local server on DynamoDB Local: the `stories` project of vitest.config.ts,
// alone, as `npm test` runs it beside the other files.

export default process.env.API_URL
  ? defineConfig({ test: { include: storyFiles, testTimeout: 60_000, hookTimeout: 180_000 } })
  : defineConfig({ test: { ...base.test, projects: [storiesProject] } });
