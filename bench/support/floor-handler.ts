// The floor of the cold-start benchmark: a bare handler making one GetItem with the same SDK, bundled the
// same way as the real functions.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { keys } from "../../shared/db/keys";

const endpoint = process.env.DYNAMODB_ENDPOINT;
export const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: process.env.AWS_REGION ?? "local",
    ...(endpoint ? { endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
  }),
);

// FLOOR_REQUESTS > 1 makes the floor of a function that needs that many round trips by its design.
const requests = Number(process.env.FLOOR_REQUESTS ?? 1);

export const handler = async () => {
  let found = 0;
  for (let i = 0; i < requests; i++) {
    const result = await client.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: keys.account("floor") }));
    if (result.Item) found++;
  }
  return { statusCode: 200, body: JSON.stringify({ found }) };
};
