// Hot author: N distinct users follow one author through the real handlers, C at a time, against DynamoDB Local.
// Reports throughput, latency, errors, DynamoDB requests and exactness per design, beside N plain PutItems at the
// same concurrency. `npx tsx bench/hot-author.ts [--followers 2000] [--concurrency 64] [--quick]`
//
// Designs compared: the follower count on the profile item (shards 0), or spread over S shard items. Each runs
// with DynamoDB Local as it is (it serialises requests, so it never reports a conflict) and under a model of
// DynamoDB's documented transaction conflicts (bench/support/transaction-conflicts.ts) in which a transaction holds
// its items for a fixed time (10 or 25 ms) standing for its server-side duration in a region.
//
// The parent process starts DynamoDB Local, makes the table and the followers, then runs every scenario in a child
// process (the shard count is configuration, read once at start, as in a Lambda function).
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { machineLine, writeSection } from "./support/report";

interface Scenario {
  shards: number;
  conflicts: "none" | "modelled";
  holdMs: number;
}

interface ScenarioResult extends Scenario {
  followers: number;
  concurrency: number;
  seconds: number;
  followsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
  storedCount: number;
  relationCount: number;
  exact: boolean;
  transactionAttempts: number;
  conflictCount: number;
  requestsPerFollow: Record<string, number>;
  putItemsPerSecond: number;
}

const { values } = parseArgs({
  options: {
    followers: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "64" },
    quick: { type: "boolean", default: false },
    scenario: { type: "string" },
  },
});
const followerCount = Number(values.followers);
const concurrency = Number(values.concurrency);
const JWT_SECRET = "bench-secret";
const followerId = (i: number) => `bench-follower-${i}`;

/** Runs `task(i)` for i in 0..n-1, `width` at a time; answers each task's duration in ms. */
async function pool(n: number, width: number, task: (i: number) => Promise<void>): Promise<number[]> {
  const durations = new Array<number>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) {
        const i = next++;
        const started = performance.now();
        await task(i);
        durations[i] = performance.now() - started;
      }
    }),
  );
  return durations;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function runScenario(scenario: Scenario): Promise<ScenarioResult> {
  const { PutCommand } = await import("@aws-sdk/lib-dynamodb");
  const { documentClient, tableName } = await import("../shared/db/client");
  const { createAccount, getAccount } = await import("../shared/db/account-store");
  const { countFollowers } = await import("../shared/db/follow-read-store");
  const { dispatch } = await import("../infra/local/server");
  const { signHs256 } = await import("../shared/http/jwt-hs256");
  const { modelTransactionConflicts, countRequests } = await import("./support/transaction-conflicts");

  const authorId = `bench-author-${randomUUID()}`;
  await createAccount({
    userId: authorId,
    handle: `a${randomUUID().replaceAll("-", "").slice(0, 20)}`,
    displayName: "Hot author",
    role: "author",
    now: new Date().toISOString(),
    followerCountShards: scenario.shards,
  });
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const tokens = Array.from({ length: followerCount }, (_, i) =>
    signHs256({ sub: followerId(i), "cognito:groups": [], exp }, JWT_SECRET),
  );
  // Warm up the handler (module load) outside the measurement.
  await dispatch(
    {
      method: "GET",
      url: new URL(`http://localhost/users/${authorId}/follow`),
      headers: { authorization: `Bearer ${tokens[0]}` },
      body: Buffer.alloc(0),
      sourceIp: "127.0.0.1",
    },
    { jwtSecret: JWT_SECRET },
  );

  const model = scenario.conflicts === "modelled" ? modelTransactionConflicts(documentClient, scenario.holdMs) : null;
  const requests = countRequests(documentClient);
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const durations = await pool(followerCount, concurrency, async (i) => {
    const result = await dispatch(
      {
        method: "PUT",
        url: new URL(`http://localhost/users/${authorId}/follow`),
        headers: { authorization: `Bearer ${tokens[i]}` },
        body: Buffer.alloc(0),
        sourceIp: "127.0.0.1",
      },
      { jwtSecret: JWT_SECRET },
    );
    const status = String(result.statusCode);
    statuses[status] = (statuses[status] ?? 0) + 1;
  });
  const seconds = (performance.now() - started) / 1000;
  requests.remove();
  model?.remove();

  const storedCount = (await getAccount(authorId))!.followerCount;
  const relationCount = await countFollowers(authorId);
  const succeeded = statuses["200"] ?? 0;

  // The floor: the same number of plain PutItems, as small as a relation item, at the same concurrency.
  const putStarted = performance.now();
  await pool(followerCount, concurrency, async (i) => {
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: `BENCH#${authorId}`, sk: `PUT#${i}`, followerId: followerId(i), at: new Date().toISOString() },
      }),
    );
  });
  const putSeconds = (performance.now() - putStarted) / 1000;

  const sorted = [...durations].sort((a, b) => a - b);
  return {
    ...scenario,
    followers: followerCount,
    concurrency,
    seconds,
    followsPerSecond: followerCount / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    statuses,
    storedCount,
    relationCount,
    exact: storedCount === relationCount && relationCount === succeeded,
    transactionAttempts: model?.stats.transactions ?? requests.counts.get("TransactWriteItems") ?? 0,
    conflictCount: model?.stats.conflicts ?? 0,
    requestsPerFollow: Object.fromEntries(
      [...requests.counts].map(([operation, count]) => [operation, count / followerCount]),
    ),
    putItemsPerSecond: followerCount / putSeconds,
  };
}

function childRun(scenario: Scenario, env: NodeJS.ProcessEnv): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv,
        import.meta.filename,
        "--scenario",
        JSON.stringify(scenario),
        "--followers",
        String(followerCount),
        "--concurrency",
        String(concurrency),
      ],
      { env: { ...env, FOLLOWER_COUNT_SHARDS: String(scenario.shards) }, stdio: ["ignore", "pipe", "inherit"] },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => {
      const line = output.trim().split("\n").at(-1) ?? "";
      if (code === 0 && line.startsWith("{")) resolve(JSON.parse(line) as ScenarioResult);
      else reject(new Error(`scenario ${JSON.stringify(scenario)} failed (${code}): ${output}`));
    });
  });
}

function table(results: ScenarioResult[]): string {
  const rows = results.map((r) => {
    const errors = Object.entries(r.statuses).filter(([status]) => status !== "200");
    return [
      r.shards === 0 ? "profile item (0)" : `${r.shards} shards`,
      r.conflicts === "none" ? "none (DynamoDB Local)" : `modelled, held ${r.holdMs} ms`,
      r.followsPerSecond.toFixed(0),
      (r.followsPerSecond / r.putItemsPerSecond).toFixed(2),
      r.p50Ms.toFixed(1),
      r.p99Ms.toFixed(1),
      errors.length ? errors.map(([status, n]) => `${n}× ${status}`).join(", ") : "0",
      ((r.transactionAttempts - r.followers) / r.followers).toFixed(2),
      `${r.storedCount} / ${r.relationCount}${r.exact ? " exact" : " NOT EXACT"}`,
      Object.values(r.requestsPerFollow)
        .reduce((a, b) => a + b, 0)
        .toFixed(2),
      r.putItemsPerSecond.toFixed(0),
    ];
  });
  const header = [
    "follower count on",
    "conflicts",
    "follows/s",
    "÷ PutItem/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "retries per follow",
    "count / relations",
    "requests per follow",
    "PutItem/s",
  ];
  return [header, header.map(() => "---"), ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");
}

/** Part 4 of `npm run bench`: every scenario in a child process, then the section of docs/performance.md. */
export async function hotAuthor(): Promise<string> {
  const { startDynamoDbLocal } = await import("../infra/local/dynamodb-local");
  const { ensureTable, localClient } = await import("../infra/local/table");
  const dynamoDb = process.env.DYNAMODB_ENDPOINT ? null : await startDynamoDbLocal();
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? dynamoDb!.endpoint;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DYNAMODB_ENDPOINT: endpoint,
    TABLE_NAME: `bench-hot-author-${randomUUID()}`,
    TOKEN_VERIFIER: "local-hs256",
    LOCAL_JWT_SECRET: JWT_SECRET,
    LOG_LEVEL: "silent",
  };
  const { applyLocalSettings } = await import("../infra/local/local-environment");
  applyLocalSettings(env);
  Object.assign(process.env, env);
  const client = localClient(endpoint);
  try {
    await ensureTable(client, env.TABLE_NAME!);
    const { createAccount } = await import("../shared/db/account-store");
    const now = new Date().toISOString();
    await pool(followerCount, concurrency, (i) =>
      createAccount({
        userId: followerId(i),
        handle: `f${i}_${randomUUID().slice(0, 8)}`,
        displayName: `Follower ${i}`,
        role: "reader",
        now,
        followerCountShards: 0,
      }).then(() => undefined),
    );

    const scenarios: Scenario[] = values.quick
      ? [
          { shards: 16, conflicts: "none", holdMs: 0 },
          { shards: 0, conflicts: "modelled", holdMs: 10 },
          { shards: 16, conflicts: "modelled", holdMs: 10 },
        ]
      : [
          { shards: 0, conflicts: "none", holdMs: 0 },
          { shards: 16, conflicts: "none", holdMs: 0 },
          ...[0, 2, 4, 8, 16].map((shards): Scenario => ({ shards, conflicts: "modelled", holdMs: 10 })),
          ...[0, 4, 8, 16, 32].map((shards): Scenario => ({ shards, conflicts: "modelled", holdMs: 25 })),
        ];
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      const result = await childRun(scenario, env);
      results.push(result);
      process.stderr.write(`done: ${JSON.stringify(scenario)} ${result.followsPerSecond.toFixed(0)} follows/s\n`);
    }
    const chosen = results.find((result) => result.shards === 16 && result.conflicts === "none")!;
    const errors = Object.entries(chosen.statuses)
      .filter(([status]) => status !== "200")
      .reduce((sum, [, count]) => sum + count, 0);
    const met = errors === 0 && chosen.exact;
    return [
      "## 4. Hot author",
      "",
      `Command: \`npm run bench:hot-author\`. ${machineLine()}`,
      "",
      `${followerCount} distinct followers of one author, ${concurrency} at a time, through the real handlers (in-process`,
      "dispatch) on DynamoDB Local, beside the same number of plain PutItems at the same concurrency in the same run.",
      "Rows marked *modelled* add DynamoDB's documented transaction conflicts, which DynamoDB Local never reports",
      "(`bench/support/transaction-conflicts.ts`); docs/data-model.md explains the model and the choice of 16 shards.",
      "Absolute rates depend on this machine; compare within the table.",
      "",
      `Target (the deployed design: 16 shards): zero errors and the count exact: ${met ? "met" : "MISSED"} ` +
        `(${errors} errors; stored ${chosen.storedCount}, relations ${chosen.relationCount}; ` +
        `${chosen.followsPerSecond.toFixed(0)} follows/s = ${(chosen.followsPerSecond / chosen.putItemsPerSecond).toFixed(2)} × the PutItem rate).`,
      "",
      table(results),
    ].join("\n");
  } finally {
    client.destroy();
    await dynamoDb?.stop();
  }
}

if (values.scenario) {
  process.stdout.write(JSON.stringify(await runScenario(JSON.parse(values.scenario) as Scenario)) + "\n");
} else if (import.meta.url === `file://${process.argv[1]}`) {
  writeSection("hot-author", await hotAuthor());
}
