// `npm start`: the local API on an embedded DynamoDB Local (or the one DYNAMODB_ENDPOINT names).
import type { AddressInfo } from "node:net";
import { parseAllowedOrigins } from "../cors";
import { startDynamoDbLocal, type RunningDynamoDb } from "./dynamodb-local";
import { applyLocalSettings } from "./local-environment";
import { startLocalMail, useLocalMail } from "./mail";
import { ensureTable, localClient } from "./table";

const port = Number(process.env.PORT ?? 3000);
// Checked first: a malformed origin stops the server before anything starts (the stack refuses it too).
const corsAllowedOrigins = parseAllowedOrigins(process.env.CORS_ALLOWED_ORIGINS);
// The mail sink stands in for SES: notices go there over SMTP, and its web inbox shows them. Started first, so
// that it loads while DynamoDB Local boots.
const mailSinkStarting = startLocalMail();
mailSinkStarting.catch(() => undefined); // its failure is reported where it is awaited, below
let dynamoDb: RunningDynamoDb | undefined;
if (!process.env.DYNAMODB_ENDPOINT) {
  const inMemory = process.env.LOCAL_IN_MEMORY === "1";
  dynamoDb = await startDynamoDbLocal(
    inMemory ? {} : { dataDirectory: process.env.LOCAL_DATA_DIR ?? ".data/dynamodb" },
  );
  process.env.DYNAMODB_ENDPOINT = dynamoDb.endpoint;
}
process.env.TABLE_NAME ??= "trading-community-local";
// The local server plays API Gateway's authorizer with HS256 tokens and runs cleanup runs itself.
process.env.TOKEN_VERIFIER = "local-hs256";
process.env.CLEANUP_RUNNER = "in-process";
applyLocalSettings();
await ensureTable(localClient(process.env.DYNAMODB_ENDPOINT), process.env.TABLE_NAME);
const mailSink = await mailSinkStarting;

// Imported only now: the handlers read their configuration from the environment set above.
const { createLocalServer } = await import("./server");
const server = createLocalServer({ jwtSecret: process.env.LOCAL_JWT_SECRET!, corsAllowedOrigins });

async function shutDown(): Promise<void> {
  server.close();
  await Promise.all([dynamoDb?.stop(), mailSink?.stop()]);
  process.exit(0);
}
process.once("SIGINT", () => void shutDown());
process.once("SIGTERM", () => void shutDown());

server.listen(port, () => {
  const address = `http://localhost:${(server.address() as AddressInfo).port}`;
  void useLocalMail(address)
    .then(() => fetch(`${address}/health`))
    .then(async (response) => {
      if (response.status !== 200) throw new Error(`GET /health answered ${response.status}`);
      process.stdout.write(`Local API listening on ${address} (DynamoDB at ${process.env.DYNAMODB_ENDPOINT})\n`);
      const smtp = `SMTP at ${process.env.SMTP_HOST}:${process.env.SMTP_PORT}`;
      process.stdout.write(
        mailSink ? `Local mail inbox on ${mailSink.inboxUrl} (${smtp})\n` : `Notices go to the mail sink at ${smtp}\n`,
      );
    })
    .catch(async (error: unknown) => {
      process.stderr.write(`The local API failed its health check: ${String(error)}\n`);
      await shutDown();
    });
});
