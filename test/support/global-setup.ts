import type { TestProject } from "vitest/node";
import { startDynamoDbLocal } from "../../infra/local/dynamodb-local";
import { stackRoles, type StackRoles } from "./iam-proof";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
    /** The synthesized stack's roles, against which every test file's recorded AWS calls are checked. */
    stackRoles: StackRoles;
  }
}

/**
 * Starts DynamoDB Local once per test run, unless DYNAMODB_ENDPOINT names one that is already running, and
 * synthesizes the stack's roles once for the IAM proof.
 */
export default async function setup(project: TestProject) {
  project.provide("stackRoles", stackRoles());
  if (process.env.DYNAMODB_ENDPOINT) {
    project.provide("dynamoDbEndpoint", process.env.DYNAMODB_ENDPOINT);
    return;
  }
  const dynamoDb = await startDynamoDbLocal();
  project.provide("dynamoDbEndpoint", dynamoDb.endpoint);
  return () => dynamoDb.stop();
}
