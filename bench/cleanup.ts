// Part 5: cleanup scaling. A whole notice schedule (DELETION_NOTICE_LEADS, default P30D,P7D,P1D: runs at day 0, 23
// and 29 sending the notices, at day 30 deactivating (contract 1.2), and the day after DEACTIVATION_GRACE (default
// P30D: day 61) purging) over 2,000 accounts and over 20,000, each with the same 500 inactive readers (with the same
// follows, comments and addresses), side by side. Accounts are seeded as the API creates them: an author with
// FOLLOWER_COUNT_SHARDS follower-count shards, a reader with none (no reader here reaches
// FOLLOWER_COUNT_SHARD_THRESHOLD). An SDK
// middleware counts every DynamoDB request the runs make, the items their reads scan (Query ScannedCount, items a
// GetItem/BatchGetItem returns) and the capacity DynamoDB Local reports; the notices go over SMTP into the local mail
// sink (MailDev), which counts the mails. Target: the 20,000-account schedule costs what the 2,000 one costs (ratios
// 1.000: the runs' cost follows the inactive accounts, not the table). `npm run bench:cleanup [-- --profile]`
// (several minutes). Each scenario runs in a child process with a table of its own.
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { startDynamoDbLocal } from "../infra/local/dynamodb-local";
import { machineLine, writeSection } from "./support/report";
import { table } from "./support/stats";

const INACTIVE = 500;
const AUTHORS = 50;
/** Active readers that follow one inactive reader each (the same in both scenarios). */
const ACTIVE_FOLLOWERS = 200;
const DAY_MS = 24 * 3600 * 1000;

interface ScenarioResult {
  accounts: number;
  /** The runs, in days after the first. */
  runDays: number[];
  /** DEACTIVATION_GRACE as configured. */
  grace: string;
  /** Active readers were last active within this many days before the first run. */
  activeWithinDays: number;
  seedSeconds: number;
  runSeconds: number;
  noticesSent: number;
  deletionsDeferred: number;
  mailsSent: number;
  /** Deactivated at the end of their notices (a run's accountsDeleted). */
  accountsDeleted: number;
  /** Purged after the grace. */
  accountsPurged: number;
  followEdgesDeleted: number;
  commentsAnonymized: number;
  countChanges: number;
  requests: number;
  byOperation: Record<string, number>;
  itemsRead: number;
  /** What DynamoDB Local reported. */
  readUnits: number;
  writeUnits: number;
  /** Billed by AWS's rules from the items' sizes (test/support/capacity-meter.ts). */
  billedReadUnits: number;
  billedWriteUnits: number;
  countsExact: boolean;
  /** The capacity meter's own reads (not counted as requests). */
  meterReads: number;
  /** With `--profile`: the runs' profile by phase (bench/support/cleanup-profile.ts), markdown. */
  profile?: string;
}

/**
 * The runs of one whole schedule with the default leads, in days after the first (as bench/seed-scale.ts): the
 * notices at day 0, 23 and 29, the deactivation at day 30 (with DEACTIVATION_GRACE=P0D a deletion), and the day
 * after the grace ends the purge (day 61 with the default P30D). Active readers were last active within
 * `activeWithinDays` before day 0, so that none nears the candidates' bound (the last run's cutoff + the longest
 * lead) while the runs go on.
 */
function schedule(graceMs: number): { runDays: number[]; activeWithinDays: number } {
  const graceDays = Math.ceil(graceMs / DAY_MS);
  const runDays = [0, 23, 29, 30, ...(graceDays === 0 ? [] : [31 + graceDays])];
  const activeWithinDays = 365 - 30 - runDays.at(-1)! - 5;
  if (activeWithinDays < 30) throw new Error(`a grace of ${graceDays} days leaves the active readers no room`);
  return { runDays, activeWithinDays };
}

/** How the capacity meter sizes items: from the requests and a cache, or `re-read` (the reference, slower). */
type MeterSizing = "cache" | "re-read";

async function scenario(accounts: number, sizing: MeterSizing, profiled = false): Promise<ScenarioResult> {
  const { startBenchEnvironment } = await import("./support/environment");
  await startBenchEnvironment(`cleanup-${accounts}`);
  const { startLocalMail, useLocalMail } = await import("../infra/local/mail");
  const sink = (await startLocalMail({ ...process.env, LOCAL_IN_MEMORY: "1" }))!;
  Object.assign(process.env, {
    MAIL_TRANSPORT: "smtp",
    SMTP_HOST: sink.smtpHost,
    SMTP_PORT: String(sink.smtpPort),
    NOTICE_SENDER_ADDRESS: "notices@bench.test",
  });
  await useLocalMail("http://localhost:3000");
  const { batchWrite } = await import("../shared/db/batch");
  const { toCommentIndexEntryItem, toCommentItem } = await import("../shared/db/entities/comment");
  const { toFollowItems } = await import("../shared/db/entities/follow");
  const { accountItems, postItems } = await import("./support/seed-items");
  const { encodePostId } = await import("../shared/domain/posts");
  const { ulid } = await import("../shared/ids");
  const { beginRun, ticketOf } = await import("../shared/use-cases/cleanup/lease");
  const { runToCompletion } = await import("../shared/use-cases/cleanup/runner");
  const { readRun } = await import("../shared/use-cases/cleanup/reports");
  const { getAccount } = await import("../shared/db/account-store");
  const { countFollowers, countFollowing } = await import("../shared/db/follow-read-store");
  const { meterCapacity } = await import("../test/support/capacity-meter");
  const { recordDynamoDbRequests } = await import("../test/support/request-recorder");
  const { dynamoDb } = await import("../shared/db/client");
  const { profileRequests, profileTables } = await import("./support/cleanup-profile");
  const { config } = await import("../shared/config");
  const { runDays, activeWithinDays } = schedule(config.DEACTIVATION_GRACE.ms);
  type StoredItem = import("../shared/db/items").StoredItem;

  // The capacity meter, cache sizing, watches the fresh table from its first write: it knows every item it is to size
  // (tableStartsEmpty). The re-reading reference starts after the seeding, which it would slow (its bill is the same).
  // With --profile, each metered request is named by the phase the profile found it sent from (set up before the runs).
  let profile: ReturnType<typeof profileRequests> | undefined;
  const tag = profiled ? (context: object) => profile?.tagOf(context) : undefined;
  const seedMeter =
    sizing === "cache"
      ? meterCapacity({ sizing: "cache", tableStartsEmpty: true, ...(tag ? { tag } : {}) })
      : undefined;

  // ---- seeding: BatchWriteItem directly, 16 writers at a time (not through the API, not counted)
  const seedStarted = performance.now();
  const items: StoredItem[] = [];
  const now = Date.now();
  const day = DAY_MS;
  const iso = (time: number) => new Date(time).toISOString();
  const userId = (kind: string, i: number) => `bench-${kind}-${i}`;
  const followerCounts = new Map<string, number>();
  const followingCounts = new Map<string, number>();
  const add = (map: Map<string, number>, id: string) => map.set(id, (map.get(id) ?? 0) + 1);
  const relations: [string, string][] = [];
  for (let i = 0; i < INACTIVE; i++) {
    for (let k = 0; k < 3; k++) relations.push([userId("inactive", i), userId("author", (i + k * 7) % AUTHORS)]);
  }
  for (let i = 0; i < ACTIVE_FOLLOWERS; i++) relations.push([userId("active", i), userId("inactive", i)]);
  for (const [follower, followee] of relations) {
    add(followingCounts, follower);
    add(followerCounts, followee);
    items.push(
      ...toFollowItems({
        followerId: follower,
        followeeId: followee,
        followId: ulid(now - 400 * day),
        followedAt: iso(now - 400 * day),
      }),
    );
  }
  const posts = Array.from({ length: 10 }, (_, p) => ({ authorId: userId("author", p), id: ulid(now - 500 * day) }));
  const commentCounts = new Map<string, number>();
  for (let i = 0; i < INACTIVE; i++) {
    const post = posts[i % posts.length]!;
    const comment = {
      commentId: ulid(now - 450 * day),
      postId: encodePostId(post),
      authorId: userId("inactive", i),
      body: "old comment",
      createdAt: iso(now - 450 * day),
    };
    commentCounts.set(post.id, (commentCounts.get(post.id) ?? 0) + 1);
    items.push(toCommentItem(post, comment), toCommentIndexEntryItem(userId("inactive", i), comment));
  }
  for (const post of posts) items.push(...postItems(post, commentCounts.get(post.id) ?? 0, iso(now - 500 * day)));
  const account = (id: string, role: "reader" | "author", lastActiveAt: string) =>
    items.push(
      ...accountItems({
        userId: id,
        role,
        followers: followerCounts.get(id) ?? 0,
        following: followingCounts.get(id) ?? 0,
        posts: posts.filter((post) => post.authorId === id).length,
        createdAt: iso(now - 800 * day),
        lastActiveAt,
        // As the API creates them (createAccount): an author with its shards, a reader with none; none of the
        // readers here reaches FOLLOWER_COUNT_SHARD_THRESHOLD (the most followed has 1 follower).
        shards: role === "author" ? config.FOLLOWER_COUNT_SHARDS : 0,
      }),
    );
  // Inactive readers: last active 400 to 700 days ago. Active readers: within activeWithinDays, so that none falls
  // within a schedule (30 days) of the cutoff while the runs go on (to the purge); some share a month of the index
  // with the candidates' bound (the index Query's `< cutoff + 30 days` leaves them out).
  for (let i = 0; i < INACTIVE; i++) account(userId("inactive", i), "reader", iso(now - (400 + (i % 300)) * day));
  for (let i = 0; i < AUTHORS; i++) account(userId("author", i), "author", iso(now - (i % 30) * day));
  for (let i = 0; i < accounts - INACTIVE - AUTHORS; i++)
    account(userId("active", i), "reader", iso(now - ((i * 7) % activeWithinDays) * day));

  const writers = 16;
  const slice = Math.ceil(items.length / writers);
  await Promise.all(
    Array.from({ length: writers }, (_, w) =>
      batchWrite(items.slice(w * slice, (w + 1) * slice).map((item) => ({ put: item }))),
    ),
  );
  const seedSeconds = (performance.now() - seedStarted) / 1000;

  // ---- the run, every request counted
  const recording = recordDynamoDbRequests();
  const meter = seedMeter ?? meterCapacity({ sizing: "re-read", ...(tag ? { tag } : {}) });
  meter.reset();
  if (profiled) profile = profileRequests(dynamoDb);
  const runStarted = performance.now();
  const runs: Awaited<ReturnType<typeof readRun>>[] = [];
  for (const days of runDays) {
    // Each run a second per day later in its day than the first, as scheduled runs start in AWS (their start jitters;
    // bench/seed-scale.ts does the same): two runs' notices never share an instant.
    const at = new Date(now + days * day + days * 1000);
    const run = await beginRun({ dryRun: false, cutoff: iso(at.getTime() - 365 * day) }, at);
    await runToCompletion(ticketOf(run), { now: () => at, budgetMs: 600_000 });
    runs.push(await readRun(run.runId));
  }
  const runSeconds = (performance.now() - runStarted) / 1000;
  recording.stop();
  profile?.remove();
  meter.stop();
  const mailsSent = ((await (await fetch(`${sink.inboxUrl}/api/email`)).json()) as unknown[]).length;
  await sink.stop();
  const byOperation: Record<string, number> = {};
  let itemsRead = 0;
  let readUnits = 0;
  let writeUnits = 0;
  for (const { command, output, consumedCapacityUnits } of recording.requests) {
    byOperation[command] = (byOperation[command] ?? 0) + 1;
    if (command === "Query" || command === "Scan") itemsRead += Number(output?.ScannedCount ?? 0);
    if (command === "GetItem" && output?.Item) itemsRead += 1;
    const responses = output?.Responses;
    if (command === "BatchGetItem" && typeof responses === "object" && responses !== null) {
      itemsRead += Object.values(responses).reduce(
        (sum: number, list: unknown) => sum + (Array.isArray(list) ? list.length : 0),
        0,
      );
    }
    if (["Query", "GetItem", "BatchGetItem", "Scan"].includes(command)) readUnits += consumedCapacityUnits;
    else writeUnits += consumedCapacityUnits;
  }
  const sum = (
    field:
      | "accountsDeleted"
      | "accountsPurged"
      | "followEdgesDeleted"
      | "commentsAnonymized"
      | "noticesSent"
      | "deletionsDeferred",
  ) => runs.reduce((total, run) => total + run[field], 0);

  let countsExact = true;
  for (const id of [
    ...Array.from({ length: AUTHORS }, (_, i) => userId("author", i)),
    ...Array.from({ length: ACTIVE_FOLLOWERS }, (_, i) => userId("active", i)),
  ]) {
    const stored = await getAccount(id);
    if (
      !stored ||
      stored.followerCount !== (await countFollowers(id)) ||
      stored.followingCount !== (await countFollowing(id))
    )
      countsExact = false;
  }
  return {
    accounts,
    runDays,
    grace: config.DEACTIVATION_GRACE.text,
    activeWithinDays,
    seedSeconds,
    runSeconds,
    accountsDeleted: sum("accountsDeleted"),
    accountsPurged: sum("accountsPurged"),
    followEdgesDeleted: sum("followEdgesDeleted"),
    commentsAnonymized: sum("commentsAnonymized"),
    noticesSent: sum("noticesSent"),
    deletionsDeferred: sum("deletionsDeferred"),
    mailsSent,
    countChanges: runs.reduce((total, run) => total + run.countChangesTotal, 0),
    requests: Object.values(byOperation).reduce((sum, n) => sum + n, 0),
    byOperation,
    itemsRead,
    readUnits,
    writeUnits,
    billedReadUnits: meter.readUnits(),
    billedWriteUnits: meter.writeUnits(),
    countsExact,
    meterReads: meter.sideReads().requests,
    ...(profile ? { profile: profileTables(profile, meter.requests, sum("accountsDeleted")) } : {}),
  };
}

function runChild(accounts: number, endpoint: string, sizing: MeterSizing, profiled: boolean): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    const args = ["--import", "tsx", import.meta.filename, "--scenario", String(accounts), "--meter", sizing];
    if (profiled) args.push("--profile");
    const child = spawn(process.execPath, args, {
      env: { ...process.env, DYNAMODB_ENDPOINT: endpoint, LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").at(-1)!) as ScenarioResult)
        : reject(new Error(`scenario ${accounts} exited ${code}`)),
    );
  });
}

export async function cleanupScaling(sizing: MeterSizing = "cache", profiled = false): Promise<string> {
  const dynamoDb = process.env.DYNAMODB_ENDPOINT ? undefined : await startDynamoDbLocal();
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? dynamoDb!.endpoint;
  try {
    const small = await runChild(2_000, endpoint, sizing, profiled);
    const large = await runChild(20_000, endpoint, sizing, profiled);
    const ratio = (a: number, b: number) => (b === 0 ? "–" : (a / b).toFixed(3));
    const requestsRatio = large.requests / small.requests;
    const itemsRatio = large.itemsRead / small.itemsRead;
    const capacityRatio =
      (large.billedReadUnits + large.billedWriteUnits) / (small.billedReadUnits + small.billedWriteUnits);
    // The runs' cost follows the inactive accounts alone: the same to the third decimal at 2,000 and 20,000.
    const scales = [requestsRatio, itemsRatio, capacityRatio].every((r) => r.toFixed(3) === "1.000");
    const complete = [small, large].every(
      (r) =>
        r.accountsDeleted === INACTIVE && r.accountsPurged === (r.runDays.length > 4 ? INACTIVE : 0) && r.countsExact,
    );
    const met = scales && complete;
    const operations = [...new Set([...Object.keys(small.byOperation), ...Object.keys(large.byOperation)])].sort();
    const row = (r: ScenarioResult) => [
      r.accounts.toLocaleString("en"),
      INACTIVE,
      r.noticesSent,
      r.mailsSent,
      r.deletionsDeferred,
      r.accountsDeleted,
      r.accountsPurged,
      r.followEdgesDeleted,
      r.commentsAnonymized,
      r.countChanges,
      r.countsExact ? "yes" : "NO",
      r.requests,
      r.itemsRead,
      r.billedReadUnits.toFixed(1),
      r.billedWriteUnits.toFixed(1),
      r.readUnits.toFixed(1),
      r.writeUnits.toFixed(1),
      r.meterReads,
      r.runSeconds.toFixed(1),
      r.seedSeconds.toFixed(1),
    ];
    return [
      "## 5. Cleanup scaling",
      "",
      `Command: \`npm run bench:cleanup${sizing === "cache" ? "" : " -- --meter re-read"}${profiled ? (sizing === "cache" ? " -- --profile" : " --profile") : ""}\`. ${machineLine()} Load average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(", ")}.`,
      "",
      `Two tables, seeded with BatchWriteItem (not through the API): ${AUTHORS} authors, the same ${INACTIVE} inactive readers`,
      `(last active 400–700 days ago; each follows 3 authors and wrote 1 comment; ${ACTIVE_FOLLOWERS} active readers follow one`,
      `of them each), and active readers up to 2,000 or 20,000 accounts in all (last active within ${small.activeWithinDays} days, so none`,
      "nears the candidates' bound, cutoff + 30 days, while the runs go on). Every account has its profile and its handle",
      "claim; follower-count shards as the API creates them: an author its 16 (FOLLOWER_COUNT_SHARDS), a reader none (no",
      "reader here nears FOLLOWER_COUNT_SHARD_THRESHOLD: the most followed has 1 follower). Then a whole schedule with",
      `the default leads (P30D,P7D,P1D): real runs at day ${small.runDays.join(", ")}, each a second per day later in its day (as`,
      "scheduled runs' starts jitter; each with the default cutoff, that day − 365 days): the first three send the",
      small.runDays.length > 4
        ? `notices, the day-30 run deactivates (contract 1.2), and the run after the grace (DEACTIVATION_GRACE=${small.grace}) purges;`
        : "notices, the day-30 run deletes (no grace: DEACTIVATION_GRACE=P0D);",
      "their steps one after another as `npm run cleanup` runs them, the notices over SMTP into the local mail sink",
      "(MailDev), which counts the mails; an SDK middleware counts every request of the runs, the items their reads",
      "scanned (Query `ScannedCount`, items returned by GetItem) and the capacity units DynamoDB Local reports; the",
      "capacity meter of part 2 (`test/support/capacity-meter.ts`) bills the same requests by AWS's rules from the items'",
      "sizes (transactions twice per item, rejected conditional writes included), which DynamoDB Local's figure",
      "understates. Requests, items and capacity do not depend on the machine; times do. The meter sizes items",
      sizing === "cache"
        ? "from the requests themselves and a cache of the items it saw written (it watched each table from its first write, the seeding's), reading an item again only where nothing else tells"
        : "by reading each of them again (the reference sizing, `--meter re-read`: the same bill, several times slower)",
      "its size; its own reads are not requests of the runs (column \"meter's reads\"), but the run's time includes them.",
      "",
      `Target: over the whole schedule, the 20,000-account runs cost what the 2,000-account runs cost (ratios 1.000), every inactive reader deactivated${small.runDays.length > 4 ? " and purged" : ""} and the counts exact: ${met ? "met" : "MISSED"} (requests ${ratio(large.requests, small.requests)}, items read ${ratio(large.itemsRead, small.itemsRead)}, billed capacity ${capacityRatio.toFixed(3)}).`,
      "",
      table(
        [
          "accounts",
          "inactive",
          "notices",
          "mails",
          "deletions deferred",
          "deactivated",
          "purged",
          "relations deleted",
          "comments anonymized",
          "count changes",
          "counts exact",
          "requests",
          "items read",
          "billed read units",
          "billed write units",
          "DynamoDB Local read units",
          "DynamoDB Local write units",
          "meter's reads",
          "run s (machine)",
          "seed s (machine)",
        ],
        [row(small), row(large)],
      ),
      "",
      table(
        ["operation", "2,000 accounts", "20,000 accounts"],
        operations.map((operation) => [
          operation,
          small.byOperation[operation] ?? 0,
          large.byOperation[operation] ?? 0,
        ]),
      ),
      "",
      `Per deleted account (2,000-account schedule, ${small.runDays.length} runs): ${(small.requests / INACTIVE).toFixed(1)} requests, ${(small.billedWriteUnits / INACTIVE).toFixed(1)} billed write units and ${(small.billedReadUnits / INACTIVE).toFixed(1)} billed read units. Of the requests, each run's`,
      "search costs one Query per month of the index from 2020-01 to the candidate bound's month (constant) plus one per",
      "200 candidates; every other request belongs to a candidate (its notices, K13–K18; its mark, relations, comments",
      "and finish, K7–K10 and K20; its purge, K24) or to a touched account's recount (K11–K12; docs/data-model.md).",
      ...(small.profile
        ? [
            "",
            "### Profile by phase, 2,000 accounts (`--profile`: bench/support/cleanup-profile.ts)",
            "",
            small.profile,
          ]
        : []),
    ].join("\n");
  } finally {
    await dynamoDb?.stop();
  }
}

const { values } = parseArgs({
  options: {
    scenario: { type: "string" },
    meter: { type: "string", default: "cache" },
    profile: { type: "boolean", default: false },
  },
  strict: false,
});
const sizing: MeterSizing = values.meter === "re-read" ? "re-read" : "cache";
if (values.scenario) {
  const result = await scenario(Number(values.scenario), sizing, values.profile === true);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  writeSection("cleanup", await cleanupScaling(sizing, values.profile === true));
  process.exit(0);
}
