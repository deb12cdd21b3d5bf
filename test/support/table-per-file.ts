import { randomUUID } from "node:crypto";
import { afterAll, inject } from "vitest";
import { applyLocalSettings } from "../../infra/local/local-environment";
import { deleteTable, ensureTable, localClient } from "../../infra/local/table";

// Runs before each test file is imported, so the configuration every module reads at load sees this table.
const endpoint = inject("dynamoDbEndpoint");
const tableName = `test-${randomUUID()}`;
process.env.DYNAMODB_ENDPOINT = endpoint;
process.env.TABLE_NAME = tableName;
process.env.TOKEN_VERIFIER = "local-hs256";
process.env.LOCAL_JWT_SECRET = "test-secret";
process.env.LOG_LEVEL ??= "silent";
applyLocalSettings();

const client = localClient(endpoint);
await ensureTable(client, tableName);
afterAll(async () => {
  await deleteTable(client, tableName);
  client.destroy();
});
