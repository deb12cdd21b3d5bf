// The floor of the cold-start benchmark: a bare handler making one GetItem with the same SDK, bundled the
// same way as the real functions.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";

const endpoint = process.env.DYNAMODB_ENDPOINT;
const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: process.env.AWS_REGION ?? "local",
    ...(endpoint ? { endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
  }),
);

export const handler = async () => {
  const result = await client.send(
    new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: "USER#floor", sk: "PROFILE" } }),
  );
  return { statusCode: 200, body: JSON.stringify({ found: result.Item !== undefined }) };
};
