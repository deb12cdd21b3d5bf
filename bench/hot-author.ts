// Hot author: N distinct users follow one author through the real handlers, C at a time, against DynamoDB Local.
// Reports throughput, latency, errors, DynamoDB requests and exactness per design, beside N plain PutItems at the
// same concurrency. `npx tsx bench/hot-author.ts [--followers 2000] [--concurrency 64] [--quick]`
//
// Designs compared: the follower count on the profile item (shards 0), or spread over S shard items. Each runs
// with DynamoDB Local as it is (it serialises requests, so it never reports a conflict) and under a model of
// DynamoDB's documented transaction conflicts (bench/support/transaction-conflicts.ts) in which a transaction holds
// its items for a fixed time (10 or 25 ms) standing for its server-side duration in a region.
//
// The threshold (FOLLOWER_COUNT_SHARD_THRESHOLD): an account created without shards, as a reader is, draws the same
// follows; the follow whose read-back shows its count at the threshold gives it its shards. For each threshold, the
// table shows what the follows before it cost in conflicts, beside what shards cost an account that never needed
// them: the write units of their creation and of the account's deletion with them, measured with the capacity meter
// (test/support/capacity-meter.ts), per follow the account drew to reach the threshold.
//
// The parent process starts DynamoDB Local, makes the table and the followers, then runs every scenario in a child
// process (the shard count and the threshold are configuration, read once at start, as in a Lambda function). The
// machine's load average is recorded at each scenario's start and end: the modelled holds make the figures
// timing-sensitive, so compare rows of one run only.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { machineLine, writeSection } from "./support/report";

interface Scenario {
  shards: number;
  conflicts: "none" | "modelled";
  holdMs: number;
  /**
   * Set: the followee is a reader created without shards, which gets `shards` of them when its follower count reaches
   * this threshold (null: never). Unset: an author created with `shards`.
   */
  threshold?: number | null;
  /** Follows in flight at once (default: --concurrency). */
  concurrency?: number;
}

/** FOLLOWER_COUNT_SHARD_THRESHOLD standing for "never" (positive, above any follower count of a run). */
const NEVER = 1_000_000_000;

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
  landedDespite503: number;
  transactionAttempts: number;
  conflictCount: number;
  requestsPerFollow: Record<string, number>;
  putItemsPerSecond: number;
  /** Follower-count shards the followee has at the end. */
  shardsAtEnd: number;
  /** The machine's 1-minute load average at the scenario's start and end. */
  load: [number, number];
}

/** Billed write units (capacity meter) of what shards cost an account, and of a follow without them. */
interface ShardCosts {
  /** Creating 16 shards for an account that has none (the follow that reaches the threshold). */
  create: number;
  /** DELETE /me of an account with no relations, with its shards and without. */
  deleteWith: number;
  deleteWithout: number;
  /** One follow of an account without shards (onto its profile), and of one with shards (onto a shard). */
  followProfile: number;
  followShard: number;
  shards: number;
}

const { values } = parseArgs({
  options: {
    followers: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "64" },
    quick: { type: "boolean", default: false },
    scenario: { type: "string" },
    "shard-costs": { type: "boolean", default: false },
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
  const width = scenario.concurrency ?? concurrency;
  const { PutCommand } = await import("@aws-sdk/lib-dynamodb");
  const { documentClient, tableName } = await import("../shared/db/client");
  const { createAccount, getAccount, getStoredAccountState } = await import("../shared/db/account-store");
  const { countFollowers } = await import("../shared/db/follow-read-store");
  const { dispatch } = await import("../infra/local/server");
  const { signHs256 } = await import("../shared/http/jwt-hs256");
  const { modelTransactionConflicts, countRequests } = await import("./support/transaction-conflicts");

  const authorId = `bench-author-${randomUUID()}`;
  await createAccount({
    userId: authorId,
    handle: `a${randomUUID().replaceAll("-", "").slice(0, 20)}`,
    displayName: "Hot author",
    ...(scenario.threshold === undefined
      ? { role: "author" as const, followerCountShards: scenario.shards }
      : { role: "reader" as const, followerCountShards: 0 }),
    now: new Date().toISOString(),
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
  const loadAtStart = loadavg()[0]!;
  const started = performance.now();
  const durations = await pool(followerCount, width, async (i) => {
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
  const loadAtEnd = loadavg()[0]!;
  requests.remove();
  model?.remove();

  const storedCount = (await getAccount(authorId))!.followerCount;
  const shardsAtEnd = (await getStoredAccountState(authorId))!.followerCountShards;
  const relationCount = await countFollowers(authorId);
  const succeeded = statuses["200"] ?? 0;

  // The floor: the same number of plain PutItems, as small as a relation item, at the same concurrency.
  const putStarted = performance.now();
  await pool(followerCount, width, async (i) => {
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
    concurrency: width,
    seconds,
    followsPerSecond: followerCount / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    statuses,
    storedCount,
    relationCount,
    // Exact: the count is its relations. A follow that answered 503 after its write landed (a deadline cut the
    // answer, not the write) is no half-write: the client's retry of the idempotent PUT finds it.
    exact: storedCount === relationCount,
    landedDespite503: relationCount - succeeded,
    transactionAttempts: model?.stats.transactions ?? requests.counts.get("TransactWriteItems") ?? 0,
    conflictCount: model?.stats.conflicts ?? 0,
    requestsPerFollow: Object.fromEntries(
      [...requests.counts].map(([operation, count]) => [operation, count / followerCount]),
    ),
    putItemsPerSecond: followerCount / putSeconds,
    shardsAtEnd,
    load: [loadAtStart, loadAtEnd],
  };
}

/**
 * What shards cost an account beside what it costs without them, billed by the capacity meter, one request at a time
 * (no conflicts): their creation, a DELETE /me with them and without, and a follow onto the profile or onto a shard.
 */
async function measureShardCosts(): Promise<ShardCosts> {
  const { config } = await import("../shared/config");
  const { createAccount, getStoredAccountState } = await import("../shared/db/account-store");
  const { createFollowerCountShards } = await import("../shared/db/follower-count-store");
  const { dispatch } = await import("../infra/local/server");
  const { signHs256 } = await import("../shared/http/jwt-hs256");
  const { meterCapacity } = await import("../test/support/capacity-meter");
  const meter = meterCapacity({ sizing: "re-read" });
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const reader = async (name: string) => {
    const userId = `bench-${name}-${randomUUID()}`;
    await createAccount({
      userId,
      handle: `r${randomUUID().replaceAll("-", "").slice(0, 20)}`,
      displayName: name,
      role: "reader",
      now: new Date().toISOString(),
      followerCountShards: 0,
    });
    return { userId, token: signHs256({ sub: userId, "cognito:groups": [], exp }, JWT_SECRET) };
  };
  const call = async (method: string, path: string, token: string) => {
    const result = await dispatch(
      {
        method,
        url: new URL(`http://localhost${path}`),
        headers: { authorization: `Bearer ${token}` },
        body: Buffer.alloc(0),
        sourceIp: "127.0.0.1",
      },
      { jwtSecret: JWT_SECRET },
    );
    if ((result.statusCode ?? 500) >= 300) throw new Error(`${method} ${path}: ${result.statusCode}`);
  };
  const billed = async (task: () => Promise<unknown>) => {
    meter.reset();
    await task();
    return meter.writeUnits();
  };
  const withShards = await reader("with-shards");
  const without = await reader("without-shards");
  const follower = await reader("follower");
  const create = await billed(() => createFollowerCountShards(withShards.userId));
  if ((await getStoredAccountState(withShards.userId))!.followerCountShards !== config.FOLLOWER_COUNT_SHARDS)
    throw new Error("the shards were not created");
  // Warm the handler and teach the container the shards (a read of the account), as a hot author's follows find it.
  await call("GET", `/users/${withShards.userId}/follow`, follower.token);
  await call("GET", `/users/${without.userId}/follow`, follower.token);
  const followShard = await billed(() => call("PUT", `/users/${withShards.userId}/follow`, follower.token));
  const followProfile = await billed(() => call("PUT", `/users/${without.userId}/follow`, follower.token));
  await call("DELETE", `/users/${withShards.userId}/follow`, follower.token);
  await call("DELETE", `/users/${without.userId}/follow`, follower.token);
  const deleteWith = await billed(() => call("DELETE", "/me", withShards.token));
  const deleteWithout = await billed(() => call("DELETE", "/me", without.token));
  meter.stop();
  return {
    create,
    deleteWith,
    deleteWithout,
    followProfile,
    followShard,
    shards: config.FOLLOWER_COUNT_SHARDS,
  };
}

/** Runs this file in a child process with `args` and answers the JSON line it ends with. */
function inChild<T>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv,
        import.meta.filename,
        ...args,
        "--followers",
        String(followerCount),
        "--concurrency",
        String(concurrency),
      ],
      { env, stdio: ["ignore", "pipe", "inherit"] },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => {
      const line = output.trim().split("\n").at(-1) ?? "";
      if (code === 0 && line.startsWith("{")) resolve(JSON.parse(line) as T);
      else reject(new Error(`${args.join(" ")} failed (${code}): ${output}`));
    });
  });
}

function childRun(scenario: Scenario, env: NodeJS.ProcessEnv): Promise<ScenarioResult> {
  return inChild<ScenarioResult>(["--scenario", JSON.stringify(scenario)], {
    ...env,
    FOLLOWER_COUNT_SHARDS: String(scenario.shards),
    ...(scenario.threshold === undefined
      ? {}
      : { FOLLOWER_COUNT_SHARD_THRESHOLD: String(scenario.threshold ?? NEVER) }),
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
      countCell(r),
      Object.values(r.requestsPerFollow)
        .reduce((a, b) => a + b, 0)
        .toFixed(2),
      r.putItemsPerSecond.toFixed(0),
      loadText(r),
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
    "load (start → end)",
  ];
  return markdownTable(header, rows);
}

const markdownTable = (header: string[], rows: (string | number)[][]) =>
  [header, header.map(() => "---"), ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");

const errorsOf = (r: ScenarioResult) =>
  Object.entries(r.statuses)
    .filter(([status]) => status !== "200")
    .reduce((sum, [, n]) => sum + n, 0);

const countCell = (r: ScenarioResult) =>
  `${r.storedCount} / ${r.relationCount}${r.exact ? " exact" : " NOT EXACT"}` +
  (r.landedDespite503 > 0 ? ` (${r.landedDespite503} of the 503s landed)` : "");
const loadText = (r: ScenarioResult) => `${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)}`;

/** What the shards an account gets cost it over its life (creation + deletion), in billed write units. */
const shardLifeUnits = (costs: ShardCosts) => costs.create + costs.deleteWith - costs.deleteWithout;

/**
 * The threshold table: for each concurrency, an account with shards from its creation (an author), then readers
 * that get them at each threshold, the conflicts their follows met beside the shards' units per follow drawn.
 */
function thresholdTable(results: ScenarioResult[], costs: ShardCosts): string {
  const life = shardLifeUnits(costs);
  const rows = results.map((r) => {
    const threshold = r.threshold;
    const unitsPerFollow =
      threshold === undefined
        ? `${life.toFixed(0)} per account, followed or not`
        : threshold === null
          ? "0"
          : `${(life / threshold).toFixed(2)} (${((100 * life) / (threshold * costs.followProfile)).toFixed(0)} % of its follows' ${(threshold * costs.followProfile).toFixed(0)})`;
    return [
      threshold === undefined ? "its creation (an author)" : threshold === null ? "never" : String(threshold),
      r.concurrency,
      r.followsPerSecond.toFixed(0),
      r.p99Ms.toFixed(0),
      errorsOf(r) ? `${errorsOf(r)}× 503` : "0",
      ((r.transactionAttempts - r.followers) / r.followers).toFixed(2),
      Object.values(r.requestsPerFollow)
        .reduce((a, b) => a + b, 0)
        .toFixed(2),
      countCell(r),
      r.shardsAtEnd,
      unitsPerFollow,
      loadText(r),
    ];
  });
  return markdownTable(
    [
      "shards from (threshold)",
      "follows in flight",
      "follows/s",
      "p99 ms",
      "errors",
      "retries per follow",
      "requests per follow",
      "count / relations",
      "shards at the end",
      "shards' write units per follow drawn to the threshold (÷ those follows' own)",
      "load (start → end)",
    ],
    rows,
  );
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
    // The threshold: for each number of follows in flight, an author (shards from its creation), then readers
    // created without shards that get them at each threshold (null: never). Held 10 ms, as the design's rows.
    const thresholdScenarios: Scenario[] = (values.quick ? [concurrency] : [8, concurrency]).flatMap((width) => [
      { shards: 16, conflicts: "modelled", holdMs: 10, concurrency: width },
      ...(values.quick ? [100, null] : [10, 100, 1000, null]).map((threshold): Scenario => ({
        shards: 16,
        conflicts: "modelled",
        holdMs: 10,
        threshold,
        concurrency: width,
      })),
    ]);
    const loadAtStart = loadavg();
    const results: ScenarioResult[] = [];
    for (const scenario of [...scenarios, ...thresholdScenarios]) {
      const result = await childRun(scenario, env);
      results.push(result);
      process.stderr.write(`done: ${JSON.stringify(scenario)} ${result.followsPerSecond.toFixed(0)} follows/s\n`);
    }
    const costs = await inChild<ShardCosts>(["--shard-costs"], env);
    const designResults = results.slice(0, scenarios.length);
    const thresholdResults = results.slice(scenarios.length);
    const life = shardLifeUnits(costs);
    const chosen = results.find((result) => result.shards === 16 && result.conflicts === "none")!;
    const errors = Object.entries(chosen.statuses)
      .filter(([status]) => status !== "200")
      .reduce((sum, [, count]) => sum + count, 0);
    const met = errors === 0 && chosen.exact;
    return [
      "## 4. Hot author",
      "",
      `Command: \`npm run bench:hot-author${values.quick ? " -- --quick" : ""}\`. ${machineLine()} Load average at the start: ${loadAtStart
        .map((l) => l.toFixed(2))
        .join(
          ", ",
        )}; each row gives the 1-minute load at its start and end (other work shared the machine: compare rows of this run only).`,
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
      table(designResults),
      "",
      "### The threshold (FOLLOWER_COUNT_SHARD_THRESHOLD)",
      "",
      `The same ${followerCount} follows of one account, conflicts modelled (held 10 ms), ${values.quick ? concurrency : `8 or ${concurrency}`} in flight at a time: an author`,
      `created with its ${costs.shards} shards, then a reader created without shards (as the API creates readers) that gets them`,
      "from the follow whose read-back shows its count at the threshold (`never`: the count stays on its profile). The",
      "follows before the shards land on the profile item and contend there; the column before last is what the",
      "shards cost an account that reached the threshold and never needed them, spread over the follows it drew to get",
      `there. Billed by the capacity meter, one request at a time: creating the ${costs.shards} shards ${costs.create.toFixed(0)} write units, a DELETE /me`,
      `of an account with them ${costs.deleteWith.toFixed(0)} against ${costs.deleteWithout.toFixed(0)} without (${(costs.deleteWith - costs.deleteWithout).toFixed(0)} more): ${life.toFixed(0)} units over its life; a`,
      `follow ${costs.followProfile.toFixed(0)} write units onto the profile, ${costs.followShard.toFixed(0)} onto a shard. (A cleanup's deletion of the account costs the same`,
      "16 items more in its mark and finish; a recount that changes its count, 16 more ConditionChecks: not measured here.)",
      'The default and why: docs/data-model.md, "Shards only where they serve".',
      "",
      thresholdTable(thresholdResults, costs),
    ].join("\n");
  } finally {
    client.destroy();
    await dynamoDb?.stop();
  }
}

if (values.scenario) {
  process.stdout.write(JSON.stringify(await runScenario(JSON.parse(values.scenario) as Scenario)) + "\n");
} else if (values["shard-costs"]) {
  process.stdout.write(JSON.stringify(await measureShardCosts()) + "\n");
} else if (import.meta.url === `file://${process.argv[1]}`) {
  writeSection("hot-author", await hotAuthor());
}
