import { startDynamoDbLocal, type RunningDynamoDb } from "../../infra/local/dynamodb-local";
import { applyLocalSettings } from "../../infra/local/local-environment";
import { ensureTable, localClient } from "../../infra/local/table";

export interface BenchEnvironment {
  endpoint: string;
  tableName: string;
  jwtSecret: string;
  stop(): Promise<void>;
}

/**
 * DynamoDB Local (started here unless DYNAMODB_ENDPOINT names one) with a fresh table, and the process
 * environment the handlers read. Must run before any handler module is imported.
 */
export async function startBenchEnvironment(name: string): Promise<BenchEnvironment> {
  let dynamoDb: RunningDynamoDb | undefined;
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? (dynamoDb = await startDynamoDbLocal()).endpoint;
  const tableName = `bench-${name}-${Date.now()}`;
  const jwtSecret = "bench-secret";
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: endpoint,
    TABLE_NAME: tableName,
    TOKEN_VERIFIER: "local-hs256",
    LOCAL_JWT_SECRET: jwtSecret,
    LOG_LEVEL: "silent",
    // The business metrics' EMF lines of the in-process local host (the measured bundles publish theirs).
    POWERTOOLS_METRICS_DISABLED: "true",
  });
  applyLocalSettings();
  const client = localClient(endpoint);
  await ensureTable(client, tableName);
  client.destroy();
  return { endpoint, tableName, jwtSecret, stop: async () => dynamoDb?.stop() };
}
