import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, inject } from "vitest";
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
// Suites about deletion itself run without notices (the version 1 behaviour, DELETION_NOTICE_LEADS empty); the
// suites about notices set their own short leads, and their mail settings, before their modules load (vi.hoisted).
process.env.DELETION_NOTICE_LEADS ??= "";
// Likewise without a grace (contract 1.2's `P0D`: accounts are deleted at the end of their notices, as in 1.1); the
// suites about a second chance (deactivation, restore, purge, undo) set their own grace before their modules load.
process.env.DEACTIVATION_GRACE ??= "P0D";
// The business metrics' EMF lines too (test/integration/observability.test.ts turns them on to read them).
process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
applyLocalSettings();

const client = localClient(endpoint);
await ensureTable(client, tableName);
afterAll(async () => {
  await deleteTable(client, tableName);
  client.destroy();
});

// IAM, checked in every test file: each AWS call a function of the stack makes while the file runs must be allowed
// by that function's synthesized role (test/integration/iam.test.ts also proves that no grant goes unused).
// Recording starts once the file's modules are loaded, so that a file may still configure them first.
let recorder: ReturnType<typeof import("./aws-calls").recordAwsCalls> | undefined;
beforeAll(async () => {
  const { recordAwsCalls } = await import("./aws-calls");
  recorder = recordAwsCalls(tableName);
});
afterAll(async () => {
  const calls = recorder?.calls() ?? [];
  recorder?.stop();
  if (calls.length === 0) return;
  const { deniedCalls } = await import("./iam-proof");
  const denied = await deniedCalls(inject("stackRoles"), calls);
  if (denied.length > 0) throw new Error(`AWS would refuse calls this file made:\n${denied.join("\n")}`);
});
