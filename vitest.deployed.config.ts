import { defineConfig } from "vitest/config";
import base from "./vitest.config";

// `npm run test:deployed`: the end-to-end stories (test/e2e/api-stories.test.ts) over HTTP. With API_URL, against
// that deployed stage, whose Cognito user pool signs the test users in (USER_POOL_ID, USER_POOL_CLIENT_ID): nothing
// local is started. Without, against the local server on DynamoDB Local, as `npm test` runs them.

const stories = ["test/e2e/api-stories.test.ts"];

export default process.env.API_URL
  ? defineConfig({ test: { include: stories, testTimeout: 60_000, hookTimeout: 180_000 } })
  : defineConfig({ test: { ...base.test, include: stories, exclude: [] } });
