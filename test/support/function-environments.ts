// Complete function configurations (shared/config.ts), for tests that vary one setting at a time.

/** What the CDK stack gives a function in AWS. */
export const awsFunctionEnv = {
  TABLE_NAME: "table",
  AWS_REGION: "eu-central-1",
  TOKEN_VERIFIER: "cognito",
  COGNITO_USER_POOL_ID: "eu-central-1_pool",
  COGNITO_CLIENT_ID: "client",
  CURSOR_SECRET: "x".repeat(64),
  AWS_LAMBDA_FUNCTION_NAME: "GetMe",
} as const;

/** What the local entry points (npm start, the tests) give the handlers. */
export const localFunctionEnv = {
  TABLE_NAME: "table",
  AWS_REGION: "local",
  DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
  TOKEN_VERIFIER: "local-hs256",
  LOCAL_JWT_SECRET: "local-dev-secret",
  CURSOR_SECRET: "y".repeat(32),
} as const;
