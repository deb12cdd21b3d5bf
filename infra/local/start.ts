// `npm start`: the local API on an embedded DynamoDB Local (or the one DYNAMODB_ENDPOINT names).
import type { AddressInfo } from "node:net";
import { parseAllowedOrigins } from "../cors";
import { startDynamoDbLocal, type RunningDynamoDb } from "./dynamodb-local";
import { applyLocalSettings } from "./local-environment";
import { ensureTable, localClient } from "./table";

const port = Number(process.env.PORT ?? 3000);
// Checked first: a malformed origin stops the server before anything starts (the stack refuses it too).
const corsAllowedOrigins = parseAllowedOrigins(process.env.CORS_ALLOWED_ORIGINS);
let dynamoDb: RunningDynamoDb | undefined;
if (!process.env.DYNAMODB_ENDPOINT) {
  const inMemory = process.env.LOCAL_IN_MEMORY === "1";
  dynamoDb = await startDynamoDbLocal(inMemory ? {} : { dataDirectory: process.env.LOCAL_DATA_DIR ?? ".data/dynamodb" });
  process.env.DYNAMODB_ENDPOINT = dynamoDb.endpoint;
}
process.env.TABLE_NAME ??= "trading-community-local";
// The local server plays API Gateway's authorizer with HS256 tokens and runs cleanup runs itself.
process.env.TOKEN_VERIFIER = "local-hs256";
process.env.CLEANUP_RUNNER = "in-process";
applyLocalSettings();
await ensureTable(localClient(process.env.DYNAMODB_ENDPOINT), process.env.TABLE_NAME);

// Imported only now: the handlers read their configuration from the environment set above.
const { createLocalServer } = await import("./server");
const server = createLocalServer({ jwtSecret: process.env.LOCAL_JWT_SECRET!, corsAllowedOrigins });

async function shutDown(): Promise<void> {
  server.close();
  await dynamoDb?.stop();
  process.exit(0);
}
process.once("SIGINT", shutDown);
process.once("SIGTERM", shutDown);

server.listen(port, () => {
  const address = `http://localhost:${(server.address() as AddressInfo).port}`;
  void fetch(`${address}/health`)
    .then(async (response) => {
      if (response.status !== 200) throw new Error(`GET /health answered ${response.status}`);
      process.stdout.write(`Local API listening on ${address} (DynamoDB at ${process.env.DYNAMODB_ENDPOINT})\n`);
    })
    .catch(async (error: unknown) => {
      process.stderr.write(`The local API failed its health check: ${String(error)}\n`);
      await shutDown();
    });
});
