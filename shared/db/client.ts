import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { config } from "../config";

// One client per Lambda container, created at module load and reused by every invocation.
export const dynamoDb = new DynamoDBClient({
  region: config.AWS_REGION,
  ...(config.DYNAMODB_ENDPOINT
    ? {
        endpoint: config.DYNAMODB_ENDPOINT,
        // DynamoDB Local accepts any credentials; fixed ones keep the SDK from probing for real ones.
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      }
    : {}),
});

export const documentClient = DynamoDBDocumentClient.from(dynamoDb, {
  marshallOptions: { removeUndefinedValues: true },
});

export const tableName = config.TABLE_NAME;
