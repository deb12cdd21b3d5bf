import { QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { documentClient, tableName } from "./client";

/** How many items a Query matches: `Select: COUNT`, page after page (one request per 1 MB of items read). */
export async function countItems(query: QueryCommandInput): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await documentClient.send(new QueryCommand({ ...query, Select: "COUNT", ExclusiveStartKey: startKey }));
    count += result.Count ?? 0;
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return count;
}

/** How many items of partition `pk` have a sort key starting with `prefix` (strongly consistent). */
export function countByPrefix(pk: string, prefix: string): Promise<number> {
  return countItems({
    TableName: tableName,
    KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
    ExpressionAttributeValues: { ":pk": pk, ":prefix": prefix },
    ConsistentRead: true,
  });
}
