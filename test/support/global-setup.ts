import type { TestProject } from "vitest/node";
import { startDynamoDbLocal } from "../../infra/local/dynamodb-local";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

/** Starts DynamoDB Local once per test run, unless DYNAMODB_ENDPOINT names one that is already running. */
export default async function setup(project: TestProject) {
  if (process.env.DYNAMODB_ENDPOINT) {
    project.provide("dynamoDbEndpoint", process.env.DYNAMODB_ENDPOINT);
    return;
  }
  const dynamoDb = await startDynamoDbLocal();
  project.provide("dynamoDbEndpoint", dynamoDb.endpoint);
  return () => dynamoDb.stop();
}
